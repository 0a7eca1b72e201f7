//! Least privilege for the parse worker: what `vitae-server parse-worker`
//! does to itself before it reads a byte of an upload.
//!
//! The worker reads a hostile file from stdin and writes JSON lines to
//! stdout; it needs nothing else from the machine. The server starts it
//! with an empty environment and no descriptors but its three pipes
//! ([`crate::pipeline`]); here, on Linux, it gives up the file system and
//! the network for good, in two independent layers, so a parser bug that
//! an upload exploits cannot read the data dir (`vitae.redb`, `admin.token`)
//! or reach the network:
//!
//! - Landlock ([`landlock`]): a ruleset that handles every file-system right
//!   and TCP bind/connect the kernel knows, with no rule granting any, so no
//!   path can be opened, created, removed or executed and no TCP port bound
//!   or connected. Already open descriptors (the pipes) keep working.
//! - seccomp ([`seccompiler`]): a filter that answers `EACCES` to the system
//!   calls that open or change paths, create sockets, execute programs,
//!   trace other processes, or set up io_uring (whose operations would
//!   bypass the filter), for kernels without Landlock or without its
//!   network part. Everything else (memory, threads, the pipes, rlimits)
//!   is allowed.
//!
//! Both are applied to the whole process and inherited by the parse thread;
//! neither can be undone. Where the kernel lacks one, the worker says so on
//! stderr in one `sandbox:` line, which the server logs as a warning once
//! ([`crate::pipeline`]), and parses anyway under the layers it has.

use std::fmt;

/// What the sandbox could enforce on this kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confinement {
    /// Landlock's outcome: `None` when fully enforced, else why not.
    pub landlock: Option<String>,
    /// The seccomp filter's outcome: `None` when installed, else why not.
    pub seccomp: Option<String>,
}

impl Confinement {
    /// Both layers hold.
    pub fn is_complete(&self) -> bool {
        self.landlock.is_none() && self.seccomp.is_none()
    }
}

impl fmt::Display for Confinement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |what: &Option<String>| what.clone().unwrap_or_else(|| "enforced".into());
        write!(
            f,
            "landlock {}; seccomp {}",
            part(&self.landlock),
            part(&self.seccomp)
        )
    }
}

/// The prefix of the one stderr line that reports a partial sandbox.
pub const PARTIAL_PREFIX: &str = "sandbox: ";

/// Confine this process: no file system, no network, no exec.
#[cfg(target_os = "linux")]
pub fn confine() -> Confinement {
    Confinement {
        landlock: landlock_everything().err(),
        seccomp: seccomp_filter().err(),
    }
}

#[cfg(not(target_os = "linux"))]
pub fn confine() -> Confinement {
    Confinement {
        landlock: Some("not available on this system".into()),
        seccomp: Some("not available on this system".into()),
    }
}

/// A Landlock ruleset that handles every right it knows and grants none.
#[cfg(target_os = "linux")]
fn landlock_everything() -> Result<(), String> {
    use landlock::{Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetStatus, ABI};
    // The newest ABI this crate knows; on older kernels best-effort mode
    // keeps what the kernel supports and reports a partial status.
    let abi = ABI::V6;
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self())
        .map_err(|e| format!("failed: {e}"))?;
    match status.ruleset {
        RulesetStatus::FullyEnforced => Ok(()),
        RulesetStatus::PartiallyEnforced => Err(format!(
            "partly enforced (the kernel's Landlock is older than ABI {abi:?}: {:?})",
            status.landlock
        )),
        RulesetStatus::NotEnforced => Err(format!(
            "not available on this kernel ({:?})",
            status.landlock
        )),
    }
}

/// The system calls the worker never needs and an exploit would: opening,
/// creating, changing or executing paths, sockets, tracing, io_uring.
#[cfg(target_os = "linux")]
fn denied_syscalls() -> Vec<i64> {
    let mut calls = vec![
        libc::SYS_openat,
        libc::SYS_openat2,
        libc::SYS_open_by_handle_at,
        libc::SYS_name_to_handle_at,
        libc::SYS_mkdirat,
        libc::SYS_mknodat,
        libc::SYS_unlinkat,
        libc::SYS_renameat2,
        libc::SYS_linkat,
        libc::SYS_symlinkat,
        libc::SYS_fchmodat,
        libc::SYS_fchownat,
        libc::SYS_truncate,
        libc::SYS_execve,
        libc::SYS_execveat,
        libc::SYS_socket,
        libc::SYS_socketpair,
        libc::SYS_connect,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_chroot,
        libc::SYS_pivot_root,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_inotify_add_watch,
        libc::SYS_fanotify_init,
    ];
    #[cfg(target_arch = "x86_64")]
    {
        calls.extend([
            libc::SYS_open,
            libc::SYS_creat,
            libc::SYS_mkdir,
            libc::SYS_mknod,
            libc::SYS_rmdir,
            libc::SYS_unlink,
            libc::SYS_rename,
            libc::SYS_renameat,
            libc::SYS_link,
            libc::SYS_symlink,
            libc::SYS_chmod,
            libc::SYS_chown,
            libc::SYS_lchown,
        ]);
        // The x32 ABI runs under the x86_64 audit arch with bit 30 set in
        // the call number: refuse those spellings too.
        const X32: i64 = 0x4000_0000;
        let x32: Vec<i64> = calls.iter().map(|nr| nr | X32).collect();
        calls.extend(x32);
    }
    calls
}

/// Mark every descriptor above 2 that this process inherited without
/// close-on-exec (a supervisor's leak) close-on-exec, so that none reaches a
/// parse worker: the worker gets its three pipes and nothing else. Called
/// once at start-up; answers how many it marked. Everything the server opens
/// itself is close-on-exec already (Rust's default).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn close_inherited_on_exec() -> usize {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    let numbers: Vec<libc::c_int> = dir
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    let mut marked = 0;
    for fd in numbers {
        // SAFETY: F_GETFD and F_SETFD read and set only the descriptor's
        // close-on-exec flag: they neither close, read nor write it, so
        // whatever owns the descriptor is unaffected. A number no longer
        // open (the listing's own handle, closed by now) fails with EBADF,
        // which leaves nothing to do.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
            // SAFETY: as above.
            let set = unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) };
            marked += usize::from(set == 0);
        }
    }
    marked
}

/// Elsewhere no descriptor is marked (the worker is not sandboxed there).
#[cfg(not(target_os = "linux"))]
pub fn close_inherited_on_exec() -> usize {
    0
}

/// Install the seccomp filter (with `no_new_privs`, which it implies).
#[cfg(target_os = "linux")]
fn seccomp_filter() -> Result<(), String> {
    let program = seccomp_program()?;
    seccompiler::apply_filter_all_threads(&program).map_err(|e| format!("not installed: {e}"))
}

/// The filter as BPF for this machine: every call in [`denied_syscalls`]
/// fails with `EACCES`, the rest are allowed.
#[cfg(target_os = "linux")]
fn seccomp_program() -> Result<seccompiler::BpfProgram, String> {
    use seccompiler::{SeccompAction, SeccompFilter, TargetArch};
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|e| format!("not available for this architecture ({e})"))?;
    let rules = denied_syscalls()
        .into_iter()
        .map(|nr| (nr, Vec::new()))
        .collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        arch,
    )
    .map_err(|e| format!("could not be built: {e}"))?;
    filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| format!("could not be compiled: {e}"))
}

/// Test builds only: what a confined worker can reach, for the end-to-end
/// test that proves the sandbox (`tests/tests/clean_data.rs`). It runs after
/// [`confine`], changes nothing, and answers one line: whether `path` (the
/// data dir's `vitae.redb`) opens, whether a TCP socket can be bound or
/// connected, which `VITAE_*` variables are set, and the descriptors that
/// were open before the sandbox (listed first, since afterwards `/proc` is
/// closed too).
#[cfg(debug_assertions)]
pub fn probe(path: &std::path::Path, fds_before: &[String]) -> String {
    let outcome = |r: std::io::Result<()>| match r {
        Ok(()) => "allowed".to_string(),
        Err(e) => format!("denied ({e})"),
    };
    let file = outcome(std::fs::File::open(path).map(drop));
    let bind = outcome(std::net::TcpListener::bind("127.0.0.1:0").map(drop));
    let connect = outcome(
        std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], 9)),
            std::time::Duration::from_millis(200),
        )
        .map(drop),
    );
    let vitae_env: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("VITAE"))
        .collect();
    format!(
        "sandbox probe: file {file}; bind {bind}; connect {connect}; env {}; vitae_env [{}]; fds [{}]",
        std::env::vars_os().count(),
        vitae_env.join(","),
        fds_before.join(",")
    )
}

/// Test builds only: the descriptors open now, with what each is, from
/// `/proc/self/fd` (the listing's own descriptor left out).
#[cfg(debug_assertions)]
pub fn open_fds() -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return vec!["unknown".into()];
    };
    dir.filter_map(Result::ok)
        .filter_map(|entry| {
            let target = std::fs::read_link(entry.path()).ok()?;
            let target = target.to_string_lossy().into_owned();
            // The directory being listed is itself an open descriptor.
            if target.starts_with("/proc/") && target.ends_with("/fd") {
                return None;
            }
            Some(format!("{}={target}", entry.file_name().to_string_lossy()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_sandbox_says_which_layer_is_missing() {
        let full = Confinement {
            landlock: None,
            seccomp: None,
        };
        assert!(full.is_complete());
        assert_eq!(full.to_string(), "landlock enforced; seccomp enforced");
        let partial = Confinement {
            landlock: Some("not available on this kernel".into()),
            seccomp: None,
        };
        assert!(!partial.is_complete());
        assert_eq!(
            partial.to_string(),
            "landlock not available on this kernel; seccomp enforced"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_filter_compiles_for_this_machine() {
        let program = seccomp_program().unwrap();
        assert!(!program.is_empty());
    }
}
