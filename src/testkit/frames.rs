//! A headless terminal that reports each finished frame: ratatui flushes
//! once per `draw`, so a flush is a frame on screen.

use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};

pub struct FrameObserved {
    inner: TestBackend,
    on_frame: Box<dyn FnMut() + Send>,
}

impl FrameObserved {
    /// A `width` x `height` screen calling `on_frame` after each frame.
    pub fn new(width: u16, height: u16, on_frame: impl FnMut() + Send + 'static) -> Self {
        FrameObserved {
            inner: TestBackend::new(width, height),
            on_frame: Box::new(on_frame),
        }
    }

    /// The last frame drawn.
    pub fn buffer(&self) -> &Buffer {
        self.inner.buffer()
    }
}

impl Backend for FrameObserved {
    type Error = <TestBackend as Backend>::Error;
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
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()?;
        (self.on_frame)();
        Ok(())
    }
}
