//! The status line's message and how long it stays: the last thing done or
//! refused, shown for a few seconds and then gone (as k9s flashes), so an
//! old "✓" never passes for the state of now. Time comes from the caller's
//! clock, so tests drive it by hand.

use std::time::Duration;

use super::editing::Message;

/// How long a success stays: enough to read one short sentence at a
/// glance, and gone before the next look at the table.
pub const SUCCESS_SHOWN: Duration = Duration::from_secs(4);

/// How long a refusal or failure stays: it asks the operator to act, who
/// may be looking elsewhere when it comes.
pub const ERROR_SHOWN: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusLine {
    shown: Option<(Message, Duration)>,
}

impl StatusLine {
    /// Shows `message` from `now` on, in place of any message shown.
    pub fn post(&mut self, message: Message, now: Duration) {
        let for_ = if message.error {
            ERROR_SHOWN
        } else {
            SUCCESS_SHOWN
        };
        self.shown = Some((message, now + for_));
    }

    /// Forgets the message once its time is up.
    pub fn expire(&mut self, now: Duration) {
        if self.shown.as_ref().is_some_and(|(_, until)| now >= *until) {
            self.shown = None;
        }
    }

    pub fn message(&self) -> Option<&Message> {
        self.shown.as_ref().map(|(m, _)| m)
    }

    pub fn clear(&mut self) {
        self.shown = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str, error: bool) -> Message {
        Message {
            text: text.into(),
            error,
        }
    }

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_success_goes_after_its_time() {
        let mut s = StatusLine::default();
        s.post(said("weight 10 → 9 ✓", false), secs(100));
        s.expire(secs(100) + SUCCESS_SHOWN - Duration::from_millis(1));
        assert_eq!(s.message().unwrap().text, "weight 10 → 9 ✓");
        s.expire(secs(100) + SUCCESS_SHOWN);
        assert_eq!(s.message(), None);
    }

    #[test]
    fn an_error_stays_longer_than_a_success() {
        assert!(ERROR_SHOWN > SUCCESS_SHOWN);
        let mut s = StatusLine::default();
        s.post(said("refused", true), secs(0));
        s.expire(SUCCESS_SHOWN);
        assert!(s.message().is_some(), "still there after a success's time");
        s.expire(ERROR_SHOWN);
        assert_eq!(s.message(), None);
    }

    #[test]
    fn a_new_message_replaces_the_old_with_its_own_time() {
        let mut s = StatusLine::default();
        s.post(said("refused", true), secs(0));
        s.post(said("done", false), secs(1));
        assert_eq!(s.message(), Some(&said("done", false)));
        // The success's time counts from when it came, not the error's.
        s.expire(secs(1) + SUCCESS_SHOWN);
        assert_eq!(s.message(), None);
        // The same words said again are shown again for their full time.
        s.post(said("done", false), secs(10));
        s.post(said("done", false), secs(13));
        s.expire(secs(10) + SUCCESS_SHOWN);
        assert!(s.message().is_some());
    }
}
