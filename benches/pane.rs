//! Pane feed throughput: how fast a pane's terminal parses app output into its screen and
//! history. Inputs are generated in code (see `common`), fed in 64 KiB chunks the way the PTY
//! reader thread hands them over, into a 120x39 terminal (a 120x40 client minus the status
//! line) keeping 10,000 lines of history. The terminal is reused across iterations, so after
//! warm-up the history is full and every scrolled line also evicts one: the steady state of a
//! long-running app. Then the cost of entering copy mode, and of searching, over a full
//! history.

mod common;

use std::hint::black_box;
use std::time::Duration;

use appmux::copy::CopyMode;
use appmux::pane::emulator::Emulator;
use appmux::size::Size;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SIZE: Size = Size {
    cols: 120,
    rows: 39,
};
const HISTORY: usize = 10_000;
/// The PTY reader's chunk size.
const CHUNK: usize = 64 * 1024;
/// Bytes fed per iteration.
const INPUT: usize = 1 << 20;

fn feed_throughput(c: &mut Criterion) {
    let mixed = common::mixed(INPUT);
    let sgr = common::sgr_heavy(INPUT);
    let wide = common::wide_heavy(INPUT);
    // The last case is the mixed input with no history: the difference from the first is the
    // cost of keeping scrollback.
    let cases: [(&str, &[u8], usize); 4] = [
        ("mixed", &mixed, HISTORY),
        ("sgr_heavy", &sgr, HISTORY),
        ("wide_heavy", &wide, HISTORY),
        ("mixed_history_0", &mixed, 0),
    ];
    let mut group = c.benchmark_group("pane_feed");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, input, history) in cases {
        group.throughput(Throughput::Bytes(input.len() as u64));
        let mut term = Emulator::new(SIZE, history);
        group.bench_function(name, |b| {
            b.iter(|| {
                for chunk in input.chunks(CHUNK) {
                    black_box(term.feed(chunk));
                }
            })
        });
    }
    group.finish();
}

/// Entering copy mode over a full history (10,000 lines of mixed output, most of it in
/// compressed blocks) and searching all of it backwards for a word that is not there: the
/// worst case of `?` in copy mode. Target: under 20 ms.
fn copy_mode_over_full_history(c: &mut Criterion) {
    let mut term = Emulator::new(SIZE, HISTORY);
    for chunk in common::mixed(4 << 20).chunks(CHUNK) {
        term.feed(chunk);
    }
    assert_eq!(term.history().len(), HISTORY);
    let mut group = c.benchmark_group("copy_mode");
    group.sample_size(20);
    group.bench_function("enter_10k_lines", |b| {
        b.iter(|| black_box(term.plain_lines()))
    });
    group.bench_function("enter_and_search_10k_lines", |b| {
        b.iter(|| {
            let lines = term.plain_lines();
            let rows = usize::from(SIZE.rows);
            let mut copy = CopyMode::new(lines, rows, rows - 1, 0);
            black_box(copy.search_for("notthereatall", false))
        })
    });
    group.finish();
}

criterion_group!(benches, feed_throughput, copy_mode_over_full_history);
criterion_main!(benches);
