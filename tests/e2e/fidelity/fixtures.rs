//! Recorded byte fixtures (`tests/fixtures/*.bytes`, the raw output of short vim, less, htop
//! and terminfo line-drawing sessions; `record.sh` there made them) replayed into a pane's
//! terminal, whole and cut into small reads, and compared with the screen text committed next
//! to them. `APPMUX_BLESS=1` rewrites the expected screens instead.

use std::path::PathBuf;

use appmux::pane::emulator::Emulator;
use appmux::size::Size;

/// The size the fixtures were recorded at.
const SIZE: Size = Size { cols: 80, rows: 24 };

fn fixture(name: &str, ext: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.{ext}"))
}

/// The screen after feeding `bytes` in reads of `chunk` bytes.
fn replay(bytes: &[u8], chunk: usize) -> String {
    let mut term = Emulator::new(SIZE, 100);
    for piece in bytes.chunks(chunk) {
        term.feed(piece);
    }
    term.capture(false, false)
}

fn check(name: &str) {
    let bytes = std::fs::read(fixture(name, "bytes")).expect("fixture bytes");
    let screen = replay(&bytes, bytes.len().max(1));
    let expected = fixture(name, "txt");
    if std::env::var_os("APPMUX_BLESS").is_some() {
        std::fs::write(&expected, &screen).unwrap();
    }
    let want = std::fs::read_to_string(&expected).expect("expected screen");
    assert_eq!(
        screen,
        want,
        "{name}: the screen differs from {}",
        expected.display()
    );
    // However the output was cut into reads, the screen is the same.
    for chunk in [1, 2, 3, 7, 64, 4096] {
        assert_eq!(
            replay(&bytes, chunk),
            want,
            "{name} fed in reads of {chunk} bytes"
        );
    }
}

#[test]
fn vim_fixture_replays_to_its_screen() {
    check("vim");
}

#[test]
fn less_fixture_replays_to_its_screen() {
    check("less");
}

#[test]
fn htop_fixture_replays_to_its_screen() {
    check("htop");
}

#[test]
fn line_drawing_fixture_replays_to_box_characters() {
    check("acs");
    let screen = std::fs::read_to_string(fixture("acs", "txt")).unwrap();
    assert!(screen.starts_with("┌───┬───┐\n│   │   │\n├───┼───┤\n└───┴───┘\n┌─┐ plain q\n"));
}
