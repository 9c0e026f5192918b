//! Who made a change: the real uid, named from the password database, or
//! from `$USER` when the database has no entry (containers, static uids).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub uid: u32,
    /// None when neither the password database nor `$USER` names it.
    pub name: Option<String>,
}

impl User {
    pub fn current() -> User {
        // SAFETY: getuid cannot fail and touches no memory of ours.
        let uid = unsafe { libc::getuid() };
        let name =
            passwd_name(uid).or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()));
        User { uid, name }
    }
}

fn passwd_name(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: all-zero is a valid passwd (null pointers, zero ids).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: buf outlives the call and its length is passed; pwd and
        // result are valid for writes.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points into buf, NUL-terminated.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_current_uid() {
        let u = User::current();
        assert_eq!(u.uid, unsafe { libc::getuid() });
        // uid 0 is in every password database this test runs with.
        if u.uid == 0 {
            assert_eq!(u.name.as_deref(), Some("root"));
        }
    }
}
