//! A backend that timestamps each frame's start and end: the monitor's
//! `render` asks the terminal's size first, so the first `size()` after a
//! flush starts a frame, the flush ends it. What a frame costs, and what a
//! key waited behind, without a hook in the loop.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use lvstop::testkit::FrameObserved;

/// Each frame's (start, end), in order.
pub type Frames = Arc<Mutex<Vec<(Instant, Instant)>>>;

pub struct FrameTimes {
    inner: FrameObserved,
    frames: Frames,
    started: Mutex<Option<Instant>>,
}

impl FrameTimes {
    pub fn new(inner: FrameObserved, frames: Frames) -> FrameTimes {
        FrameTimes {
            inner,
            frames,
            started: Mutex::new(None),
        }
    }

    pub fn buffer(&self) -> &ratatui::buffer::Buffer {
        self.inner.buffer()
    }
}

impl Backend for FrameTimes {
    type Error = <FrameObserved as Backend>::Error;
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(
        &mut self,
        c: I,
    ) -> Result<(), Self::Error> {
        self.inner.draw(c)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(p)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, t: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(t)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.started
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()?;
        let end = Instant::now();
        let start = self.started.lock().unwrap().take().unwrap_or(end);
        self.frames.lock().unwrap().push((start, end));
        Ok(())
    }
}

/// The frames drawn while a key due at `due` waited, the one that showed
/// it (at `shown`) included, whose end is stamped just after the key's:
/// each as its start (s from `start`) + its length in ms.
pub fn drawn_while_waiting(
    frames: &[(Instant, Instant)],
    due: Instant,
    shown: Instant,
    start: Instant,
) -> String {
    frames
        .iter()
        .filter(|f| f.1 > due && f.0 <= shown)
        .map(|f| {
            format!(
                "{:.3}+{:.1}",
                (f.0 - start).as_secs_f64(),
                (f.1 - f.0).as_secs_f64() * 1000.0
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every frame on stderr, `trace|frame START END` in s from `start`.
pub fn dump(frames: &[(Instant, Instant)], start: Instant) {
    for f in frames {
        eprintln!(
            "trace|frame {:.4} {:.4}",
            (f.0 - start).as_secs_f64(),
            (f.1 - start).as_secs_f64()
        );
    }
}
