//! A real OpenSSH server on 127.0.0.1: sessions started over SSH outlive the connection, are
//! listed and attached over later connections, and survive a killed SSH client.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::harness::*;

struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sshd_path() -> Option<PathBuf> {
    ["/usr/sbin/sshd", "/usr/bin/sshd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("ssh-keygen")
        .success();
    assert!(ok, "ssh-keygen failed");
}

/// Starts `sshd -D` with a temporary config, host key and authorized key on a free port.
fn start_sshd(env: &Env) -> Sshd {
    let dir = env.path("ssh");
    std::fs::create_dir_all(&dir).unwrap();
    keygen(&dir.join("host_key"));
    keygen(&dir.join("client_key"));
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
    // Privilege separation needs this directory when sshd runs as root.
    let _ = std::fs::create_dir_all("/run/sshd");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
         UsePAM no\nStrictModes no\nPidFile {}\nPermitRootLogin yes\nLogLevel ERROR\n",
        dir.join("host_key").display(),
        dir.join("authorized_keys").display(),
        dir.join("sshd.pid").display(),
    );
    std::fs::write(dir.join("sshd_config"), config).unwrap();
    let child = Command::new(sshd_path().unwrap())
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(dir.join("sshd_config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting sshd");
    wait_until("sshd to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .ok()
            .map(|_| ())
    });
    Sshd {
        child,
        port,
        key: dir.join("client_key"),
    }
}

impl Sshd {
    fn ssh_args(&self, tty: bool) -> Vec<String> {
        let mut a: Vec<String> = [
            "-p",
            &self.port.to_string(),
            "-i",
            &self.key.display().to_string(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if tty {
            a.push("-tt".into());
        }
        a.push("127.0.0.1".into());
        a
    }

    /// The remote command: appmux with this world's environment.
    fn remote(env: &Env, args: &str) -> String {
        let vars: Vec<String> = env
            .vars()
            .into_iter()
            .map(|(k, v)| format!("{k}='{v}'"))
            .collect();
        format!("env {} {BIN} {args}", vars.join(" "))
    }

    fn run(&self, env: &Env, args: &str) -> std::process::Output {
        Command::new("ssh")
            .args(self.ssh_args(false))
            .arg(Self::remote(env, args))
            .stdin(Stdio::null())
            .output()
            .expect("running ssh")
    }
}

#[test]
fn sessions_over_ssh_outlive_the_connection_and_a_killed_client() {
    if sshd_path().is_none() || Command::new("ssh").arg("-V").output().is_err() {
        panic!("openssh-server and openssh-client are needed (bash .ci/deps.sh installs them)");
    }
    let env = Env::new();
    let sshd = start_sshd(&env);
    let dir = env.project(
        "remote",
        "session = \"remote\"\n[[app]]\nname = \"api\"\ncmd = \"echo api-up; exec sleep 1000\"\n[[app]]\nname = \"web\"\ncmd = \"echo web-up; exec sleep 1000\"\n",
    );
    let file = dir.join("appmux.toml");
    let out = sshd.run(&env, &format!("new -d -c {}", file.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let ls = sshd.run(&env, "ls --json");
    assert!(
        ls.status.success(),
        "{}",
        String::from_utf8_lossy(&ls.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&ls.stdout).unwrap();
    let pids: Vec<u64> = v["sessions"][0]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    assert_eq!(
        env.app("remote", Some("api")).unwrap()["pid"].as_u64(),
        Some(pids[0])
    );

    let attach = |env: &Env| {
        let mut args = sshd.ssh_args(true);
        args.push(Sshd::remote(env, "attach -t remote"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Term::spawn_program(env, "ssh", &args, &env.path("home"), 100, 30)
    };
    let t = attach(&env);
    t.wait_for("api-up");
    t.wait_for("web");
    kill(t.pid(), libc::SIGKILL);
    drop(t);
    wait_until("the server to see the client go", || {
        (env.ls_json()["sessions"][0]["attached"] == 0).then_some(())
    });
    for (i, app) in ["api", "web"].iter().enumerate() {
        let a = env.app("remote", Some(app)).unwrap();
        assert_eq!(a["state"], "running");
        assert_eq!(a["pid"].as_u64(), Some(pids[i]));
    }
    let t2 = attach(&env);
    t2.wait_for("api-up");
}
