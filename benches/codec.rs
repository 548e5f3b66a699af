//! The wire codec on the hot path: one 64 KiB `ServerMsg::Output` frame (a large screen update)
//! encoded into a length-prefixed frame, and read back and decoded as the client does.

mod common;

use std::hint::black_box;
use std::time::Duration;

use appmux::protocol::ServerMsg;
use appmux::protocol::codec::{Decoded, decode, encode, read_frame};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const PAYLOAD: usize = 64 * 1024;

fn decode_frame(frame: &[u8]) -> ServerMsg {
    let mut r = frame;
    let payload = read_frame(&mut r)
        .expect("frame reads")
        .expect("frame present");
    match decode::<ServerMsg>(&payload).expect("frame decodes") {
        Decoded::Message(m) => m,
        Decoded::Unknown(tag) => panic!("unknown tag {tag}"),
    }
}

fn codec(c: &mut Criterion) {
    let mut bytes = common::mixed(PAYLOAD);
    bytes.truncate(PAYLOAD);
    let msg = ServerMsg::Output(bytes);
    let frame = encode(&msg);
    assert_eq!(decode_frame(&frame), msg);

    let mut group = c.benchmark_group("codec_output_64k");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(PAYLOAD as u64));
    group.bench_function("encode", |b| b.iter(|| encode(black_box(&msg))));
    group.bench_function("decode", |b| b.iter(|| decode_frame(black_box(&frame))));
    group.bench_function("encode_decode", |b| {
        b.iter(|| decode_frame(&encode(black_box(&msg))))
    });
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
