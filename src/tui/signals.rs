//! Termination signals while the monitor owns the terminal.
//!
//! SIGTERM, SIGHUP, SIGINT and SIGQUIT would otherwise kill lvstop with the
//! terminal still in raw mode on the alternate screen. The handler only
//! writes the signal number to a pipe (async-signal-safe); a watcher thread
//! restores the terminal, prints the reason after it and exits with
//! 128 + signal, as a shell reports a death by signal.

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread;

/// Write end of the self-pipe the handler writes to (-1: not installed).
static PIPE_WR: AtomicI32 = AtomicI32::new(-1);

const SIGNALS: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT];

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = PIPE_WR.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is one local byte.
        unsafe { libc::write(fd, &b as *const u8 as *const libc::c_void, 1) };
    }
}

pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP (the terminal went away)",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        _ => "a signal",
    }
}

/// While alive, the signals above restore the terminal (`restore`) and end
/// the process. Dropping it puts back the default actions.
pub struct SignalGuard {
    read: libc::c_int,
    write: libc::c_int,
    watcher: Option<thread::JoinHandle<()>>,
}

/// Install the handlers. `restore` must be safe to call from another thread
/// and more than once (`Guard::restorer` is).
pub fn restore_on_signals(restore: impl Fn() + Send + 'static) -> std::io::Result<SignalGuard> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills two fds on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let (read, write) = (fds[0], fds[1]);
    PIPE_WR.store(write, Ordering::SeqCst);
    let watcher = thread::Builder::new()
        .name("lvstop-signals".into())
        .spawn(move || {
            let mut b = 0u8;
            // SAFETY: read one byte into a local from our own pipe.
            let n = unsafe { libc::read(read, &mut b as *mut u8 as *mut libc::c_void, 1) };
            // 0 is the guard's own wake-up on drop (or EOF): no signal.
            if n != 1 || b == 0 {
                return;
            }
            let sig = i32::from(b);
            restore();
            let _ = writeln!(
                std::io::stderr(),
                "lvstop: stopped by {}; the terminal was restored",
                signal_name(sig)
            );
            std::process::exit(128 + sig);
        })?;
    for sig in SIGNALS {
        // SAFETY: installing a handler that only calls write(2).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
    Ok(SignalGuard {
        read,
        write,
        watcher: Some(watcher),
    })
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for sig in SIGNALS {
            // SAFETY: back to the default action.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
        PIPE_WR.store(-1, Ordering::SeqCst);
        let zero = 0u8;
        // SAFETY: wake the watcher with a 0 byte so it returns.
        unsafe { libc::write(self.write, &zero as *const u8 as *const libc::c_void, 1) };
        if let Some(w) = self.watcher.take() {
            let _ = w.join();
        }
        // SAFETY: our own fds, closed once.
        unsafe {
            libc::close(self.read);
            libc::close(self.write);
        }
    }
}
