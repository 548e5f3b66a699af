//! Tests for appending an app to a project file (`run --save`): the text around it is kept, the
//! entry is valid, and a file that would get new problems is left alone.

use super::*;

#[test]
fn append_keeps_the_text_and_adds_a_valid_entry() {
    let original =
        "# my project\nsession = \"s\" # trailing\n\n[[app]]\nname = \"api\"\ncmd = \"x\"";
    let (_dir, path) = project(original);
    let weird = "echo \"quoted\" \\ back\\slash\nnew line\ttab \u{1} 'single' ünïcode";
    append_app(
        &path,
        "job",
        &CommandSpec::Shell(weird.to_owned()),
        Some(RestartPolicy::Never),
    )
    .unwrap();
    let argv = CommandSpec::Argv(vec!["a b".to_owned(), "\"c\"".to_owned()]);
    append_app(&path, "job2", &argv, None).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(&format!("{original}\n\n[[app]]\n")),
        "{text}"
    );
    let project = load_project(&path).unwrap();
    assert_eq!(project.apps.len(), 3);
    assert_eq!(project.apps[1].cmd, CommandSpec::Shell(weird.to_owned()));
    assert_eq!(project.apps[1].restart, RestartPolicy::Never);
    assert_eq!(project.apps[2].cmd, argv);
    assert_eq!(project.apps[2].restart, RestartPolicy::OnFailure);
}

#[test]
fn append_refuses_new_problems_and_leaves_the_file_alone() {
    let original = "[[app]]\nname = \"api\"\ncmd = \"x\"\n";
    let (_dir, path) = project(original);
    let cmd = CommandSpec::Shell("y".to_owned());
    let err = append_app(&path, "api", &cmd, None).unwrap_err();
    assert_eq!(
        (err.line, err.col, err.message.as_str()),
        (
            4,
            1,
            "cannot add app `api`: duplicate app name `api` (first defined on line 2)"
        )
    );
    let err = append_app(&path, "a b", &cmd, None).unwrap_err();
    assert!(
        err.message.contains("must not contain whitespace"),
        "{}",
        err.message
    );
    let err = append_app(&path, "ok", &CommandSpec::Argv(Vec::new()), None).unwrap_err();
    assert!(err.message.contains("empty"), "{}", err.message);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn append_tolerates_old_problems_but_not_broken_toml() {
    // A `cwd` that disappeared is the file's old problem, not the new entry's.
    let (_dir, path) = project("[[app]]\nname = \"api\"\ncmd = \"x\"\ncwd = \"gone\"\n");
    append_app(&path, "new", &CommandSpec::Shell("y".to_owned()), None).unwrap();
    assert_eq!(check_project(&path).len(), 1);

    let (_dir, path) = project("[[app]\n");
    let err = append_app(&path, "new", &CommandSpec::Shell("y".to_owned()), None).unwrap_err();
    assert_eq!((err.line, err.col), (1, 7));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[[app]\n");

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(PROJECT_FILE);
    assert!(append_app(&missing, "new", &CommandSpec::Shell("y".to_owned()), None).is_err());
    assert!(!missing.exists());
}
