//! Lines to messages and back. Everything a remote side sends is hostile:
//! the line is capped before it is parsed, and every string in it is
//! refused if it holds a control character, so no escape sequence from a
//! director can reach a terminal through lvstop.

use std::fmt;

use serde::Serialize;

use super::messages::{FromAgent, ToAgent};
use super::{MAX_LINE, MAX_TEXT};

/// Why a line was refused; the director is then marked bad with these words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One message as one line, without its newline.
pub fn encode<M: Serialize>(message: &M) -> String {
    // Every message is plain data: serializing cannot fail.
    serde_json::to_string(message).expect("protocol messages serialize")
}

/// A line from an agent (newline stripped or not).
pub fn decode_from_agent(line: &[u8]) -> Result<FromAgent, DecodeError> {
    let message: FromAgent = parse(line)?;
    check_texts(&message)?;
    Ok(message)
}

/// A line from lvstop, read by the agent.
pub fn decode_to_agent(line: &[u8]) -> Result<ToAgent, DecodeError> {
    let message: ToAgent = parse(line)?;
    if let ToAgent::Apply { user, change, .. } = &message {
        text("user", user)?;
        if let Some(scheduler) = scheduler_of(change) {
            text("scheduler", scheduler)?;
        }
    }
    Ok(message)
}

fn parse<T: serde::de::DeserializeOwned>(line: &[u8]) -> Result<T, DecodeError> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    if line.len() > MAX_LINE {
        return Err(DecodeError(format!(
            "a line of {} bytes, over the limit of {MAX_LINE}",
            line.len()
        )));
    }
    let text = std::str::from_utf8(line)
        .map_err(|_| DecodeError("a line that is not UTF-8".to_string()))?;
    // serde's words quote the input (`unknown variant ...`): escape what they quote.
    serde_json::from_str(text).map_err(|e| {
        let words: String = e
            .to_string()
            .chars()
            .flat_map(char::escape_default)
            .collect();
        DecodeError(format!("a malformed message: {words}"))
    })
}

fn scheduler_of(change: &crate::model::Change) -> Option<&str> {
    use crate::model::Change;
    match change {
        Change::AddService(s) | Change::EditService(s) => Some(&s.scheduler),
        _ => None,
    }
}

/// Every free-text field of a message from an agent.
fn check_texts(message: &FromAgent) -> Result<(), DecodeError> {
    match message {
        FromAgent::Hello(h) => {
            text("lvstop version", &h.lvstop)?;
            text("host name", &h.host)?;
            text("IPVS version", &h.ipvs)?;
            text("netns", &h.netns)?;
            if h.capabilities.len() > 64 {
                return Err(DecodeError("a hello with over 64 capabilities".into()));
            }
            h.capabilities
                .iter()
                .try_for_each(|c| text("capability", c))
        }
        FromAgent::Reading(r) => r.services.iter().try_for_each(|c| {
            if let Some(s) = &c.service {
                text("scheduler", &s.scheduler)?;
                if let Some(pe) = &s.pe_name {
                    text("persistence engine", pe)?;
                }
            }
            Ok(())
        }),
        FromAgent::Failed(f) => text("reason", &f.reason),
        FromAgent::Result(o) => {
            text("message", &o.message)?;
            o.journal_id
                .as_deref()
                .map_or(Ok(()), |id| text("journal id", id))
        }
        FromAgent::Pong(_) => Ok(()),
    }
}

/// A string field: bounded, and without a control character (ESC, CR, BEL,
/// C1 codes...), which could drive the terminal it is printed on.
fn text(field: &str, s: &str) -> Result<(), DecodeError> {
    if s.len() > MAX_TEXT {
        return Err(DecodeError(format!(
            "a {field} of {} bytes, over the limit of {MAX_TEXT}",
            s.len()
        )));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(DecodeError(format!(
            "a {field} holding the control character U+{:04X}",
            c as u32
        )));
    }
    Ok(())
}
