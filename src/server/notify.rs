//! systemd's readiness protocol (`sd_notify`): one datagram to the socket `NOTIFY_SOCKET`
//! names, a path or (with a leading `@`) an abstract name. `READY=1` once the socket is bound
//! and resurrection has begun, `STOPPING=1` when a stop begins. With no `NOTIFY_SOCKET` (not
//! run by systemd as `Type=notify`) nothing is sent.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixDatagram;

/// Sends `state` (`READY=1`, `STOPPING=1`, ...) to systemd when it asked for it. A failure is
/// logged: systemd then times the start out, which says more than anything we could.
pub fn notify(state: &str) {
    let Some(target) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = send(target.as_bytes(), state) {
        tracing::warn!("telling systemd {state}: {e}");
    }
}

fn send(target: &[u8], state: &str) -> std::io::Result<usize> {
    let sock = UnixDatagram::unbound()?;
    match target.strip_prefix(b"@") {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            sock.send_to_addr(state.as_bytes(), &addr)
        }
        None => sock.send_to(state.as_bytes(), std::ffi::OsStr::from_bytes(target)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reaches_a_path_socket_and_an_abstract_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        send(path.as_os_str().as_bytes(), "READY=1").unwrap();
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("appmux-test-{}", std::process::id());
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixDatagram::bind_addr(&addr).unwrap();
        send(format!("@{name}").as_bytes(), "STOPPING=1").unwrap();
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1");
    }
}
