#!/usr/bin/env node
// The ONNX Runtime peer of tools/bench_peers.py: one process, one model, one batch, one thread count.
// Times `session.run` after one warm-up and writes the timings and the last pass's logits as JSON.
//
//   NODE_PATH=build/peers/node_modules node tools/bench_ort.js MODEL.onnx INPUT.f32 N,C,H,W THREADS REPEAT OUT.json
//
// INPUT.f32 holds the batch as raw little-endian float32 (NCHW). onnxruntime-node comes from
// `npm install --ignore-scripts onnxruntime-node` (bench_peers.py does it in build/peers/).
'use strict';
const fs = require('fs');

async function main() {
  const [modelPath, inputPath, shapeArg, threadsArg, repeatArg, outPath] = process.argv.slice(2);
  if (!outPath) {
    console.error('usage: bench_ort.js MODEL.onnx INPUT.f32 N,C,H,W THREADS REPEAT OUT.json');
    process.exit(2);
  }
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    console.error(`bench_ort.js: cannot load onnxruntime-node (${e.message}); run npm install --ignore-scripts onnxruntime-node ` +
                  'in a folder and point NODE_PATH at its node_modules');
    process.exit(1);
  }
  const shape = shapeArg.split(',').map(Number);
  const threads = Number(threadsArg), repeat = Number(repeatArg);
  const bytes = fs.readFileSync(inputPath);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * 4) throw new Error(`${inputPath}: ${bytes.length} bytes, shape ${shape} needs ${count * 4}`);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  let out = await session.run(feeds);  // the warm-up
  const forwardMs = [];
  for (let r = 0; r < repeat; ++r) {
    const start = process.hrtime.bigint();
    out = await session.run(feeds);
    forwardMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const logits = out[session.outputNames[0]];
  fs.writeFileSync(outPath, JSON.stringify({
    engine: 'onnxruntime-node', version: require('onnxruntime-node/package.json').version, threads, setup_ms: setupMs,
    forward_ms: forwardMs, shape: logits.dims, logits: Array.from(logits.data),
  }));
}

main().catch((e) => {
  console.error(`bench_ort.js: ${e.stack || e}`);
  process.exit(1);
});
