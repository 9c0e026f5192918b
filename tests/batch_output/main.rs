//! Batch output (`lvstop::output`) against ipvsadm: its printf formats, its
//! captured output on real kernels, `ipvsadm -R` round trips, and the JSON
//! (services and connections) against docs/json.md. Tables come from rules
//! files through `lvstop::rules`.

mod conn_json_schema;
mod director_json;
mod expected;
mod golden;
mod json;
mod json_schema;
mod random_golden;
mod table;
