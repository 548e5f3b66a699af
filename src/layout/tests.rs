//! Tests of the parent module.

use super::*;
use proptest::prelude::*;

const A: PaneId = PaneId(1);
const B: PaneId = PaneId(2);
const C: PaneId = PaneId(3);
const D: PaneId = PaneId(4);

fn area(width: u16, height: u16) -> Rect {
    Rect::new(0, 0, width, height)
}

fn rect_of(layout: &Layout, area: Rect, p: PaneId) -> Rect {
    let rects = layout.rects(area);
    rects
        .into_iter()
        .find(|&(q, _)| q == p)
        .map(|(_, r)| r)
        .expect("pane is laid out")
}

/// Panes A, B, C side by side with equal weights.
fn three_columns() -> Layout {
    let mut l = Layout::new(A);
    assert!(l.split(A, Axis::Horizontal, B));
    assert!(l.split(B, Axis::Horizontal, C));
    l.apply_preset(Preset::EvenHorizontal, A);
    l
}

/// Panes A, B, C, D arranged as `preset` (main pane A).
fn four(preset: Preset) -> Layout {
    let mut l = three_columns();
    assert!(l.split(C, Axis::Vertical, D));
    l.apply_preset(preset, A);
    l
}

/// Checks the normal form promised in the module header.
fn assert_normal(node: &Node) {
    if let Node::Split { axis, children } = node {
        assert!(
            children.len() >= 2,
            "split with {} children",
            children.len()
        );
        for c in children {
            assert!(c.weight > 0);
            assert!(!matches!(&c.node, Node::Split { axis: a, .. } if a == axis));
            assert_normal(&c.node);
        }
    }
}

/// Paints panes with their `C-b q` number and borders with box-drawing lines.
fn paint(layout: &Layout, area: Rect) -> String {
    let (w, h) = (usize::from(area.width), usize::from(area.height));
    let mut grid = vec![vec!['.'; w]; h];
    let order = layout.panes();
    for (p, r) in layout.rects(area) {
        let n = order.iter().position(|&q| q == p).unwrap_or(0) as u32;
        let digit = char::from_digit(n % 36, 36).unwrap_or('?');
        for y in r.top()..r.bottom() {
            for x in r.left()..r.right() {
                grid[usize::from(y - area.y)][usize::from(x - area.x)] = digit;
            }
        }
    }
    let borders = layout.borders(area);
    for b in &borders {
        for y in b.rect.top()..b.rect.bottom() {
            for x in b.rect.left()..b.rect.right() {
                let glyph = border_glyph(&borders, x, y).unwrap_or('?');
                grid[usize::from(y - area.y)][usize::from(x - area.x)] = glyph;
            }
        }
    }
    grid.into_iter()
        .map(|row| row.into_iter().collect::<String>() + "\n")
        .collect()
}

fn snapshot(name: &str, text: String) {
    // Named explicitly so the files are the same whichever crate compiles this module.
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(format!("layout__{name}"), text);
    });
}

#[test]
fn new_layout_has_one_pane_filling_the_area() {
    let l = Layout::new(A);
    assert_eq!(l.panes(), vec![A]);
    assert_eq!(
        (l.len(), l.is_empty(), l.contains(A), l.contains(B)),
        (1, false, true, false)
    );
    assert_eq!(l.rects(area(80, 24)), vec![(A, area(80, 24))]);
    assert!(l.borders(area(80, 24)).is_empty());
}

#[test]
fn split_gives_the_new_pane_the_half_after_the_border() {
    let mut l = Layout::new(A);
    assert!(l.split(A, Axis::Horizontal, B));
    assert_eq!(
        l.rects(area(81, 24)),
        vec![(A, Rect::new(0, 0, 40, 24)), (B, Rect::new(41, 0, 40, 24))]
    );
    assert!(l.split(B, Axis::Vertical, C));
    assert_eq!(l.panes(), vec![A, B, C]);
    assert_eq!(rect_of(&l, area(81, 25), B), Rect::new(41, 0, 40, 12));
    assert_eq!(rect_of(&l, area(81, 25), C), Rect::new(41, 13, 40, 12));
    // An existing id or a missing target changes nothing.
    assert!(!l.split(A, Axis::Vertical, B));
    assert!(!l.split(D, Axis::Vertical, PaneId(9)));
    assert_eq!(l.len(), 3);
}

#[test]
fn split_along_the_parent_axis_adds_a_sibling_with_half_the_target() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.split(A, Axis::Horizontal, C);
    assert_eq!(l.panes(), vec![A, C, B]);
    let root = l.root.as_ref().expect("root");
    assert!(matches!(root, Node::Split { children, .. } if children.len() == 3));
    let widths: Vec<u16> = l
        .rects(area(201, 10))
        .iter()
        .map(|(_, r)| r.width)
        .collect();
    assert_eq!(widths, vec![50, 50, 99]);
}

#[test]
fn rects_follow_the_area_origin_and_keep_proportions() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    assert!(l.resize(A, Direction::Right, 20, area(81, 24)));
    assert_eq!(rect_of(&l, area(81, 24), A).width, 60);
    assert_eq!(rect_of(&l, area(161, 24), A).width, 120);
    assert_eq!(
        rect_of(&l, Rect::new(10, 5, 81, 24), B),
        Rect::new(71, 5, 20, 24)
    );
}

#[test]
fn close_gives_the_room_to_the_previous_sibling_and_focuses_it() {
    let mut l = three_columns();
    assert_eq!(l.close(B), Some(A));
    assert_eq!(l.panes(), vec![A, C]);
    assert_eq!(rect_of(&l, area(83, 5), A).width, 55);
    assert_eq!(l.close(A), Some(C));
    assert_eq!(l.rects(area(83, 5)), vec![(C, area(83, 5))]);
    assert_eq!(l.close(D), None, "a missing pane");
    assert!(!l.is_empty());
    assert_eq!(l.close(C), None, "the last pane");
    assert!(l.is_empty());
    assert_eq!((l.len(), l.panes()), (0, vec![]));
    assert!(l.rects(area(80, 24)).is_empty() && l.borders(area(80, 24)).is_empty());
}

#[test]
fn close_merges_a_lone_child_into_a_parent_along_the_same_axis() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.split(B, Axis::Vertical, C);
    l.split(C, Axis::Horizontal, D);
    let before: Vec<u16> = [A, C, D].map(|p| rect_of(&l, area(83, 24), p).width).into();
    assert_eq!(l.close(B), Some(C));
    assert_normal(l.root.as_ref().expect("root"));
    assert_eq!(l.panes(), vec![A, C, D]);
    let after: Vec<u16> = [A, C, D].map(|p| rect_of(&l, area(83, 24), p).width).into();
    assert_eq!(before, after);
    assert_eq!(rect_of(&l, area(83, 24), C).height, 24);
}

#[test]
fn resize_moves_the_border_toward_the_direction() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    let a = area(81, 24);
    let widths = |l: &Layout| (rect_of(l, a, A).width, rect_of(l, a, B).width);
    assert!(l.resize(A, Direction::Right, 5, a));
    assert_eq!(widths(&l), (45, 35));
    // B has no border on its right, so its left border moves right and B shrinks.
    assert!(l.resize(B, Direction::Right, 5, a));
    assert_eq!(widths(&l), (50, 30));
    assert!(l.resize(A, Direction::Left, 3, a));
    assert_eq!(widths(&l), (47, 33));
    assert!(l.resize(A, Direction::Right, -7, a));
    assert_eq!(widths(&l), (40, 40));
    assert!(l.resize(A, Direction::Right, 1000, a));
    assert_eq!(widths(&l), (78, MIN_WIDTH));
    assert!(!l.resize(A, Direction::Right, 1, a), "B is at its minimum");
    assert!(
        !l.resize(A, Direction::Up, 1, a),
        "no border across that axis"
    );
    assert!(!l.resize(D, Direction::Right, 1, a));
}

#[test]
fn resize_stacked_and_nested_panes() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Vertical, B);
    let a = area(80, 25);
    assert!(l.resize(B, Direction::Up, 4, a));
    assert_eq!(
        (rect_of(&l, a, A).height, rect_of(&l, a, B).height),
        (8, 16)
    );
    // B sits in a stacked split; the side-by-side border is found further up.
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.split(B, Axis::Vertical, C);
    assert!(l.resize(B, Direction::Right, 4, area(81, 24)));
    assert_eq!(rect_of(&l, area(81, 24), A).width, 44);
    assert_eq!(rect_of(&l, area(81, 24), C).width, 36);
}

#[test]
fn resize_by_keys_pushes_through_panes_at_their_minimum() {
    let mut l = three_columns();
    let a = area(83, 5);
    assert!(l.resize(A, Direction::Right, 60, a));
    let widths: Vec<u16> = l.rects(a).iter().map(|(_, r)| r.width).collect();
    assert_eq!(widths, vec![77, MIN_WIDTH, MIN_WIDTH]);
}

#[test]
fn resize_unzooms_and_fails_when_panes_do_not_fit() {
    let mut l = three_columns();
    l.toggle_zoom(B);
    assert!(l.resize(A, Direction::Right, 2, area(83, 5)));
    assert_eq!(l.zoomed(), None);
    assert!(
        !l.resize(A, Direction::Right, 2, area(6, 5)),
        "C has no room at all"
    );
}

#[test]
fn drag_moves_a_border_to_a_column_and_stops_at_the_neighbor() {
    let mut l = three_columns();
    let a = area(83, 5);
    let border = l.border_at(a, 27, 0).expect("border after A");
    assert_eq!(
        (border.before, border.after, border.axis),
        (A, B, Axis::Horizontal)
    );
    assert!(l.drag(a, &border, 20));
    assert_eq!(rect_of(&l, a, A).width, 20);
    assert_eq!(l.border_at(a, 20, 3).map(|b| b.before), Some(A));
    assert!(l.drag(a, &border, 70));
    let widths: Vec<u16> = l.rects(a).iter().map(|(_, r)| r.width).collect();
    assert_eq!(
        widths,
        vec![52, MIN_WIDTH, 27],
        "C is not pushed by the mouse"
    );
    assert!(!l.drag(a, &border, 70), "already as far as it goes");
    l.close(B);
    assert!(!l.drag(a, &border, 10), "the border is gone");
}

#[test]
fn swap_exchanges_places() {
    let mut l = three_columns();
    let a = area(83, 5);
    let left = rect_of(&l, a, A);
    assert!(l.swap(A, C));
    assert_eq!(l.panes(), vec![C, B, A]);
    assert_eq!(rect_of(&l, a, C), left);
    assert!(!l.swap(A, A));
    assert!(!l.swap(A, D));
}

#[test]
fn zoom_shows_one_pane_and_structural_changes_unzoom() {
    let mut l = three_columns();
    let a = area(83, 5);
    l.toggle_zoom(B);
    assert_eq!(l.zoomed(), Some(B));
    assert_eq!(l.rects(a), vec![(B, a)]);
    assert!(l.borders(a).is_empty());
    assert_eq!(l.pane_at(a, 0, 0), Some(B));
    assert_eq!(
        l.neighbor(a, B, Direction::Left),
        Some(A),
        "on the unzoomed layout"
    );
    l.toggle_zoom(B);
    assert_eq!(l.zoomed(), None);
    l.toggle_zoom(A);
    l.split(B, Axis::Vertical, D);
    assert_eq!(l.zoomed(), None);
    l.toggle_zoom(A);
    l.close(D);
    assert_eq!(l.zoomed(), None);
    l.toggle_zoom(A);
    l.apply_preset(Preset::Tiled, A);
    assert_eq!(l.zoomed(), None);
    let mut single = Layout::new(A);
    single.toggle_zoom(A);
    assert_eq!(single.zoomed(), None, "tmux does not zoom a lone pane");
}

#[test]
fn presets_at_200x60() {
    let a = area(200, 60);
    let expect = |preset, rects: [(u16, u16, u16, u16); 4]| {
        let l = four(preset);
        let got: Vec<(u16, u16, u16, u16)> = l
            .rects(a)
            .iter()
            .map(|(_, r)| (r.x, r.y, r.width, r.height))
            .collect();
        assert_eq!(got, rects, "{}", preset.name());
        assert_normal(l.root.as_ref().expect("root"));
    };
    let eh = [
        (0, 0, 50, 60),
        (51, 0, 49, 60),
        (101, 0, 49, 60),
        (151, 0, 49, 60),
    ];
    expect(Preset::EvenHorizontal, eh);
    let ev = [
        (0, 0, 200, 15),
        (0, 16, 200, 14),
        (0, 31, 200, 14),
        (0, 46, 200, 14),
    ];
    expect(Preset::EvenVertical, ev);
    let mv = [
        (0, 0, 100, 60),
        (101, 0, 99, 20),
        (101, 21, 99, 19),
        (101, 41, 99, 19),
    ];
    expect(Preset::MainVertical, mv);
    let mh = [
        (0, 0, 200, 30),
        (0, 31, 66, 29),
        (67, 31, 66, 29),
        (134, 31, 66, 29),
    ];
    expect(Preset::MainHorizontal, mh);
    let tiled = [
        (0, 0, 100, 30),
        (101, 0, 99, 30),
        (0, 31, 100, 29),
        (101, 31, 99, 29),
    ];
    expect(Preset::Tiled, tiled);
}

#[test]
fn main_presets_put_the_given_pane_first_and_tiled_follows_tmux_rows() {
    let mut l = four(Preset::EvenHorizontal);
    l.apply_preset(Preset::MainVertical, C);
    assert_eq!(l.panes(), vec![C, A, B, D]);
    assert_eq!(rect_of(&l, area(200, 60), C), Rect::new(0, 0, 100, 60));
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.apply_preset(Preset::Tiled, A);
    assert_eq!(
        rect_of(&l, area(80, 25), B),
        Rect::new(0, 13, 80, 12),
        "2 panes stack"
    );
    l.split(B, Axis::Horizontal, C);
    l.apply_preset(Preset::Tiled, A);
    assert_eq!(
        rect_of(&l, area(81, 25), C),
        Rect::new(0, 13, 81, 12),
        "3 panes: 2 + 1"
    );
    let mut l = Layout::new(A);
    l.apply_preset(Preset::MainHorizontal, A);
    assert_eq!(l.rects(area(10, 10)), vec![(A, area(10, 10))]);
}

#[test]
fn preset_names_round_trip_and_cycle_like_tmux() {
    for p in Preset::ALL {
        assert_eq!(Preset::parse(p.name()), Some(p));
    }
    assert_eq!(Preset::parse("nope"), None);
    let mut p = Preset::EvenHorizontal;
    let mut seen = vec![];
    for _ in 0..5 {
        seen.push(p.name());
        p = p.next();
    }
    assert_eq!(p, Preset::EvenHorizontal);
    let order = [
        "even-horizontal",
        "even-vertical",
        "main-horizontal",
        "main-vertical",
        "tiled",
    ];
    assert_eq!(seen, order);
}

#[test]
fn neighbor_in_a_two_by_two_grid() {
    let l = four(Preset::Tiled);
    let a = area(200, 60);
    let go = |from, dir| l.neighbor(a, from, dir);
    assert_eq!(go(A, Direction::Right), Some(B));
    assert_eq!(go(A, Direction::Down), Some(C));
    assert_eq!(go(D, Direction::Left), Some(C));
    assert_eq!(go(D, Direction::Up), Some(B));
    assert_eq!(go(A, Direction::Left), None);
    assert_eq!(go(A, Direction::Up), None);
    assert_eq!(go(PaneId(99), Direction::Up), None);
}

#[test]
fn neighbor_prefers_the_longest_shared_edge_then_the_top() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.split(B, Axis::Vertical, C);
    assert_eq!(
        l.neighbor(area(81, 25), A, Direction::Right),
        Some(B),
        "a tie"
    );
    assert_eq!(
        l.neighbor(area(81, 24), A, Direction::Right),
        Some(B),
        "B is taller"
    );
    assert!(l.resize(C, Direction::Up, 5, area(81, 24)));
    assert_eq!(l.neighbor(area(81, 24), A, Direction::Right), Some(C));
    assert_eq!(l.neighbor(area(81, 24), C, Direction::Left), Some(A));
}

#[test]
fn next_and_prev_cycle_in_pane_order() {
    let l = three_columns();
    assert_eq!([l.next(A), l.next(B), l.next(C)], [B, C, A]);
    assert_eq!([l.prev(A), l.prev(B), l.prev(C)], [C, A, B]);
    assert_eq!(l.next(D), A);
}

#[test]
fn borders_are_cut_where_the_neighbouring_pane_changes() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.split(B, Axis::Vertical, C);
    let a = area(81, 25);
    let got: Vec<(Rect, Axis, PaneId, PaneId)> = l
        .borders(a)
        .into_iter()
        .map(|b| (b.rect, b.axis, b.before, b.after))
        .collect();
    assert_eq!(
        got,
        vec![
            (Rect::new(40, 0, 1, 13), Axis::Horizontal, A, B),
            (Rect::new(40, 13, 1, 12), Axis::Horizontal, A, C),
            (Rect::new(41, 12, 40, 1), Axis::Vertical, B, C),
        ]
    );
    let borders = l.borders(a);
    assert_eq!(border_glyph(&borders, 40, 12), Some('├'));
    assert_eq!(border_glyph(&borders, 40, 0), Some('│'));
    assert_eq!(border_glyph(&borders, 50, 12), Some('─'));
    assert_eq!(border_glyph(&borders, 0, 0), None);
    assert_eq!(l.pane_at(a, 0, 0), Some(A));
    assert_eq!(l.pane_at(a, 40, 0), None);
    assert_eq!(l.pane_at(a, 80, 24), Some(C));
    assert_eq!(l.border_at(a, 40, 20).map(|b| b.after), Some(C));
    assert_eq!(l.border_at(a, 0, 0), None);
}

#[test]
fn tiny_and_odd_areas_never_panic() {
    let l = four(Preset::Tiled);
    for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 3), (5, 3), (1, 100), (100, 1)] {
        let a = area(w, h);
        let _ = (
            l.rects(a),
            l.borders(a),
            l.pane_at(a, 0, 0),
            l.neighbor(a, A, Direction::Right),
        );
    }
    assert!(l.rects(area(1, 1)).iter().all(|(_, r)| r.is_empty()));
    assert_eq!(
        l.min_size(),
        Size {
            width: 5,
            height: 3
        }
    );
    assert!(
        l.rects(area(5, 3))
            .iter()
            .all(|(_, r)| r.width == 2 && r.height == 1)
    );
    let huge = Rect {
        x: 65_500,
        y: 65_500,
        width: 500,
        height: 200,
    };
    let _ = (l.rects(huge), l.borders(huge));
    assert_eq!(Layout::new(A).rects(area(2, 2)), vec![(A, area(2, 2))]);
    assert_eq!(Layout::new(A).rects(area(1, 5)), vec![(A, Rect::ZERO)]);
}

#[test]
fn panes_that_do_not_fit_are_hidden_from_the_end() {
    let l = three_columns();
    let rects = l.rects(area(6, 3));
    assert_eq!(rects[0].1, Rect::new(0, 0, 3, 3));
    assert_eq!(rects[1].1, Rect::new(4, 0, 2, 3));
    assert_eq!(rects[2].1, Rect::ZERO);
    assert_eq!(l.borders(area(6, 3)).len(), 1);
}

#[test]
fn can_split_needs_room_for_both_halves() {
    let l = Layout::new(A);
    assert!(!l.can_split(A, Axis::Horizontal, area(4, 1)));
    assert!(l.can_split(A, Axis::Horizontal, area(5, 1)));
    assert!(!l.can_split(A, Axis::Vertical, area(5, 2)));
    assert!(l.can_split(A, Axis::Vertical, area(5, 3)));
    assert!(!l.can_split(B, Axis::Vertical, area(5, 3)));
}

#[test]
fn serde_round_trips_and_rejects_unsound_layouts() {
    let mut l = four(Preset::MainVertical);
    l.resize(A, Direction::Right, 7, area(120, 40));
    l.toggle_zoom(C);
    let json = serde_json::to_string(&l).expect("serialize");
    assert_eq!(
        serde_json::from_str::<Layout>(&json).expect("deserialize"),
        l
    );
    let pane = |id| format!(r#"{{"weight":1,"node":{{"Pane":{id}}}}}"#);
    let split = |kids: String| {
        format!(
            r#"{{"root":{{"Split":{{"axis":"Horizontal","children":[{kids}]}}}},"zoomed":null}}"#
        )
    };
    let twice = serde_json::from_str::<Layout>(&split(format!("{},{}", pane(1), pane(1))));
    assert!(
        twice
            .expect_err("duplicate")
            .to_string()
            .contains("appears twice")
    );
    assert!(serde_json::from_str::<Layout>(&split(String::new())).is_err());
    let zero = split(format!("{},{}", pane(1), pane(2).replace("1", "0")));
    assert!(serde_json::from_str::<Layout>(&zero).is_err());
    let ghost = r#"{"root":{"Pane":1},"zoomed":7}"#;
    assert!(serde_json::from_str::<Layout>(ghost).is_err());
    let lone = serde_json::from_str::<Layout>(&split(pane(5))).expect("one child");
    assert_eq!(lone, Layout::new(PaneId(5)));
}

#[test]
fn snapshots_of_each_preset_at_80x24() {
    for preset in Preset::ALL {
        snapshot(preset.name(), paint(&four(preset), area(80, 24)));
    }
}

#[test]
fn snapshot_of_a_nested_split() {
    let mut l = Layout::new(A);
    l.split(A, Axis::Horizontal, B);
    l.split(B, Axis::Vertical, C);
    l.split(C, Axis::Horizontal, D);
    l.split(A, Axis::Vertical, PaneId(5));
    l.resize(A, Direction::Right, 10, area(80, 24));
    snapshot("nested", paint(&l, area(80, 24)));
}

#[derive(Debug, Clone)]
enum Op {
    Split(usize, Axis),
    Close(usize),
    Resize(usize, Direction, i32),
    Zoom(usize),
    Swap(usize, usize),
    Preset(Preset, usize),
    Drag(usize, u16),
}

fn op() -> impl Strategy<Value = Op> {
    let axis = prop_oneof![Just(Axis::Horizontal), Just(Axis::Vertical)];
    let dir = prop::sample::select(vec![
        Direction::Left,
        Direction::Right,
        Direction::Up,
        Direction::Down,
    ]);
    prop_oneof![
        4 => (any::<usize>(), axis).prop_map(|(i, a)| Op::Split(i, a)),
        1 => any::<usize>().prop_map(Op::Close),
        2 => (any::<usize>(), dir, -300..300i32).prop_map(|(i, d, n)| Op::Resize(i, d, n)),
        1 => any::<usize>().prop_map(Op::Zoom),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Swap(a, b)),
        1 => (prop::sample::select(Preset::ALL.to_vec()), any::<usize>())
            .prop_map(|(p, i)| Op::Preset(p, i)),
        2 => (any::<usize>(), any::<u16>()).prop_map(|(i, to)| Op::Drag(i, to)),
    ]
}

fn any_area() -> impl Strategy<Value = Rect> {
    let small = (0..20u16, 0..20u16, 0..=12u16, 0..=8u16);
    let large = (0..20u16, 0..20u16, 0..=500u16, 0..=200u16);
    prop_oneof![small, large].prop_map(|(x, y, w, h)| Rect::new(x, y, w, h))
}

fn apply(l: &mut Layout, op: &Op, area: Rect, next_id: &mut u64) {
    let panes = l.panes();
    if panes.is_empty() {
        *l = Layout::new(PaneId(*next_id));
        *next_id += 1;
        return;
    }
    let pick = |i: usize| panes[i % panes.len()];
    match *op {
        Op::Split(i, axis) => {
            assert!(l.split(pick(i), axis, PaneId(*next_id)));
            *next_id += 1;
        }
        Op::Close(i) => {
            let focus = l.close(pick(i));
            assert_eq!(focus.is_none(), panes.len() == 1);
            assert!(focus.is_none_or(|f| l.contains(f)));
        }
        Op::Resize(i, dir, n) => {
            l.resize(pick(i), dir, n, area);
        }
        Op::Zoom(i) => l.toggle_zoom(pick(i)),
        Op::Swap(a, b) => {
            l.swap(pick(a), pick(b));
        }
        Op::Preset(p, i) => l.apply_preset(p, pick(i)),
        Op::Drag(i, to) => {
            let borders = l.borders(area);
            if let Some(b) = borders.get(i % borders.len().max(1)) {
                let span = b.axis.len(area).saturating_add(2);
                let to = b.axis.start(area).saturating_add(to % span.max(1));
                l.drag(area, b, to);
            }
        }
    }
}

fn check(l: &Layout, area: Rect) {
    let panes = l.panes();
    let unique: HashSet<PaneId> = panes.iter().copied().collect();
    assert_eq!((unique.len(), l.len()), (panes.len(), panes.len()));
    if let Some(root) = &l.root {
        assert_normal(root);
    }
    let rects = l.rects(area);
    let borders = l.borders(area);
    match l.zoomed() {
        Some(z) => {
            assert!(l.contains(z) && borders.is_empty());
            assert_eq!(rects.iter().map(|(p, _)| *p).collect::<Vec<_>>(), vec![z]);
        }
        None => assert_eq!(rects.iter().map(|(p, _)| *p).collect::<Vec<_>>(), panes),
    }
    let shown: Vec<Rect> = rects
        .iter()
        .map(|(_, r)| *r)
        .filter(|r| !r.is_empty())
        .collect();
    let lines: Vec<Rect> = borders.iter().map(|b| b.rect).collect();
    for b in &borders {
        assert!(!b.rect.is_empty() && b.before != b.after);
        assert!(l.contains(b.before) && l.contains(b.after));
    }
    let all: Vec<Rect> = shown.iter().chain(&lines).copied().collect();
    for (i, r) in all.iter().enumerate() {
        assert_eq!(area.intersection(*r), *r, "{r:?} leaves {area:?}");
        for s in &all[i + 1..] {
            assert!(!r.intersects(*s), "{r:?} overlaps {s:?}");
        }
    }
    let every_pane_fits = !rects.is_empty() && shown.len() == rects.len();
    if every_pane_fits {
        let covered: u32 = all.iter().map(|r| r.area()).sum();
        assert_eq!(covered, area.area(), "rects and borders tile the area");
    }
    let min = l.min_size();
    if area.width >= min.width && area.height >= min.height {
        for (_, r) in &rects {
            assert!(
                r.width >= MIN_WIDTH && r.height >= MIN_HEIGHT,
                "{r:?} below minimum"
            );
        }
    }
    for (p, r) in rects.iter().filter(|(_, r)| !r.is_empty()) {
        assert_eq!(
            l.pane_at(area, r.x + r.width / 2, r.y + r.height / 2),
            Some(*p)
        );
    }
}

proptest! {
    #[test]
    fn random_edits_keep_the_layout_sound(
        ops in prop::collection::vec(op(), 1..40),
        area in any_area(),
        other in any_area(),
    ) {
        let mut l = Layout::new(PaneId(0));
        let mut next_id = 1;
        for op in &ops {
            apply(&mut l, op, area, &mut next_id);
            check(&l, area);
        }
        check(&l, other);
        for p in l.panes() {
            for dir in [Direction::Left, Direction::Right, Direction::Up, Direction::Down] {
                if let Some(n) = l.neighbor(area, p, dir) {
                    prop_assert!(n != p && l.contains(n));
                }
            }
            prop_assert!(l.contains(l.next(p)) && l.contains(l.prev(p)));
        }
        let json = serde_json::to_string(&l).expect("serialize");
        prop_assert_eq!(serde_json::from_str::<Layout>(&json).expect("deserialize"), l);
    }
}
