//! The connection table in batch output: `ipvsadm -Lnc` lines, also the
//! monitor's drill-down. Its JSON counts per service (`conns`), so it lives
//! in `cli::conn_json`: `conns` reaches `backend`, which reaches `output`.

mod text;

pub use text::{conn_header, conn_line};
