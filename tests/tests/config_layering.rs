//! Settings layering of the built binary: flag > `VITAE_*` variable >
//! `--config` file > default, for every command that opens the store.
//!
//! `token create` must find the data dir the way `serve` does, so a token
//! made with the server's own config file (or environment) opens the
//! server's store, and a server on that store accepts it. (How the layers
//! combine setting by setting is a unit test in `server/src/config.rs`.)

use std::path::Path;
use std::process::{Command, Output, Stdio};

use vitae_tests::*;

/// `vitae-server token create --user NAME ARGS...` with exactly the
/// `VITAE_*` variables given: an inherited one would change the answer.
fn token_create(user: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(server_bin());
    command
        .args(["token", "create", "--user", user])
        .args(args)
        .stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("VITAE_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("run vitae-server token create")
}

/// The token, alone on the last line of stdout, after a successful run.
fn token_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "token create failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let token = stdout.lines().last().unwrap_or("").trim().to_string();
    assert!(
        token.starts_with("vt_"),
        "token on the last line: {stdout:?}"
    );
    token
}

fn has_store(dir: &Path) -> bool {
    dir.join("vitae.redb").exists()
}

fn write_config(path: &Path, data_dir: &Path) {
    // `addr` and `share_max_days` are serve's settings: `token create`
    // accepts the server's whole file and uses `data_dir` alone.
    std::fs::write(
        path,
        format!(
            "data_dir = {:?}\naddr = \"127.0.0.1:0\"\nshare_max_days = 90\n",
            data_dir.to_str().unwrap()
        ),
    )
    .unwrap();
}

#[tokio::test]
async fn token_create_takes_the_data_dir_from_the_config_file() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data-from-file");
    let config = root.path().join("vitae.toml");
    write_config(&config, &data);

    let out = token_create("carol", &["--config", config.to_str().unwrap()], &[]);
    let token = token_of(&out);
    assert!(
        has_store(&data),
        "the store was created in the file's data_dir"
    );

    // A server on that data dir accepts the token.
    let mut srv = TestServer::start_in(&data, &[]);
    let r = srv.api(&token).get("/v1/resumes").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let status = srv.stop().await;
    assert!(status.success(), "exit status {status}");
}

#[test]
fn the_environment_beats_the_file_and_a_flag_beats_both() {
    let root = tempfile::tempdir().unwrap();
    let from_file = root.path().join("file");
    let from_env = root.path().join("env");
    let from_flag = root.path().join("flag");
    let config = root.path().join("vitae.toml");
    write_config(&config, &from_file);
    let config = config.to_str().unwrap();

    // VITAE_CONFIG names the file as --config does.
    token_of(&token_create("a", &[], &[("VITAE_CONFIG", config)]));
    assert!(has_store(&from_file));
    std::fs::remove_dir_all(&from_file).unwrap();

    let env_dir = ("VITAE_DATA_DIR", from_env.to_str().unwrap());
    token_of(&token_create("b", &["--config", config], &[env_dir]));
    assert!(has_store(&from_env), "VITAE_DATA_DIR wins over the file");
    assert!(!has_store(&from_file));

    let flag = [
        "--config",
        config,
        "--data-dir",
        from_flag.to_str().unwrap(),
    ];
    token_of(&token_create("c", &flag, &[env_dir]));
    assert!(has_store(&from_flag), "--data-dir wins over both");
    assert!(!has_store(&from_file));
}

#[test]
fn a_bad_config_file_is_exit_2_naming_the_file_and_the_key() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("vitae.toml");
    std::fs::write(&config, "data_dirr = \"/tmp/x\"\n").unwrap();
    let config = config.to_str().unwrap();
    let data = root.path().join("data");
    let data = data.to_str().unwrap();
    for args in [
        vec!["token", "create", "--user", "d", "--config", config],
        vec![
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            data,
            "--config",
            config,
        ],
    ] {
        // (`run_cli` stops a server that started after all, after 30 s.)
        let out = run_cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(config), "{args:?}: {stderr}");
        assert!(stderr.contains("`data_dirr`"), "{args:?}: {stderr}");
        assert!(stderr.contains("unknown key"), "{args:?}: {stderr}");
    }
}
