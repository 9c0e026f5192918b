//! Entering and leaving the terminal's full-screen mode, and the guarantee
//! that it is left: on return, on error (the guard's drop) and on panic (a
//! hook that restores before the panic message prints, so the message is
//! readable and the shell is usable).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The two operations the guard needs, so the guard logic can be tested
/// without a terminal.
pub trait Screen: Send + Sync + 'static {
    fn enter(&self) -> io::Result<()>;
    fn leave(&self) -> io::Result<()>;
}

/// The real terminal: raw mode, alternate screen, mouse capture.
pub struct Crossterm;

impl Screen for Crossterm {
    fn enter(&self) -> io::Result<()> {
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(
            io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::event::EnableMouseCapture,
            crossterm::cursor::Hide
        )
    }

    fn leave(&self) -> io::Result<()> {
        // Best effort, every step: one failing must not keep the others
        // from running.
        let a = crossterm::execute!(
            io::stdout(),
            crossterm::event::DisableMouseCapture,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let b = crossterm::terminal::disable_raw_mode();
        a.and(b)
    }
}

/// Restores the screen exactly once, whichever comes first: drop or panic.
pub struct Guard {
    screen: Arc<dyn Screen>,
    left: Arc<AtomicBool>,
}

impl Guard {
    /// Enters full-screen mode and installs the panic hook. If entering
    /// fails half-way, what was done is undone before the error returns.
    pub fn enter(screen: Arc<dyn Screen>) -> io::Result<Guard> {
        let left = Arc::new(AtomicBool::new(false));
        if let Err(e) = screen.enter() {
            let _ = screen.leave();
            return Err(e);
        }
        let hook_screen = screen.clone();
        let hook_left = left.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !hook_left.swap(true, Ordering::SeqCst) {
                let _ = hook_screen.leave();
            }
            previous(info);
        }));
        Ok(Guard { screen, left })
    }

    /// Leaves full-screen mode now (idempotent).
    /// A restore that other threads (signal handling) can call; it shares
    /// the once-only flag, so the terminal is restored exactly once.
    pub fn restorer(&self) -> impl Fn() + Send + Sync + 'static {
        let (screen, left) = (self.screen.clone(), self.left.clone());
        move || {
            if !left.swap(true, Ordering::SeqCst) {
                let _ = screen.leave();
            }
        }
    }

    pub fn leave(&self) -> io::Result<()> {
        if self.left.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        self.screen.leave()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.leave();
        // The hook stays installed but is inert once `left` is set; taking
        // it back here could remove a hook someone installed after ours.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder {
        log: Mutex<Vec<&'static str>>,
        fail_enter: bool,
    }

    impl Screen for Recorder {
        fn enter(&self) -> io::Result<()> {
            self.log.lock().unwrap().push("enter");
            if self.fail_enter {
                return Err(io::Error::other("no tty"));
            }
            Ok(())
        }
        fn leave(&self) -> io::Result<()> {
            self.log.lock().unwrap().push("leave");
            Ok(())
        }
    }

    #[test]
    fn drop_restores_once() {
        let r = Arc::new(Recorder::default());
        {
            let g = Guard::enter(r.clone()).unwrap();
            g.leave().unwrap();
        }
        assert_eq!(*r.log.lock().unwrap(), vec!["enter", "leave"]);
    }

    #[test]
    fn failed_enter_is_undone() {
        let r = Arc::new(Recorder {
            fail_enter: true,
            ..Recorder::default()
        });
        assert!(Guard::enter(r.clone()).is_err());
        assert_eq!(*r.log.lock().unwrap(), vec!["enter", "leave"]);
    }

    #[test]
    fn panic_restores_before_the_message_and_drop_does_not_repeat() {
        let r = Arc::new(Recorder::default());
        let outer = std::panic::take_hook();
        // Stands in for the default hook that prints the message.
        let log = r.clone();
        std::panic::set_hook(Box::new(move |_| log.log.lock().unwrap().push("message")));
        let screen = r.clone();
        let result = std::panic::catch_unwind(move || {
            let _g = Guard::enter(screen).unwrap();
            panic!("boom");
        });
        let _ = std::panic::take_hook();
        std::panic::set_hook(outer);
        assert!(result.is_err());
        assert_eq!(*r.log.lock().unwrap(), vec!["enter", "leave", "message"]);
    }
}
