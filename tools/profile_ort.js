#!/usr/bin/env node
// ONNX Runtime's time per node, to set beside `build/bin/resnext50 --profile` (or `typenet run
// --profile`): where the peer is faster op by op. One process, one model, one batch, one thread count;
// ORT's own profiler (enableProfiling) records every node of every pass; the first pass (the warm-up)
// is dropped and each node's median over the rest is printed in execution order, in ms.
//
//   NODE_PATH=build/peers/node_modules node tools/profile_ort.js MODEL.onnx INPUT.f32 N,C,H,W THREADS PASSES
//
// The files are bench_peers.py's (build/peers/MODEL/: MODEL.onnx, input_b1.f32); ORT's profile
// JSON is written to the system's temporary folder and removed.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const [modelPath, inputPath, shapeArg, threadsArg, passesArg] = process.argv.slice(2);
  if (!passesArg) {
    console.error('usage: profile_ort.js MODEL.onnx INPUT.f32 N,C,H,W THREADS PASSES');
    process.exit(2);
  }
  const ort = require('onnxruntime-node');
  const shape = shapeArg.split(',').map(Number);
  const threads = Number(threadsArg), passes = Number(passesArg);
  if (!(passes >= 2)) throw new Error(`PASSES must be at least 2 (the first is dropped), not ${passesArg}`);
  const bytes = fs.readFileSync(inputPath);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * 4) throw new Error(`${inputPath}: ${bytes.length} bytes, shape ${shape} needs ${count * 4}`);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
      graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: path.join(dir, 'ort'),
    });
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
    for (let i = 0; i < passes; ++i) await session.run(feeds);
    session.endProfiling();
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) throw new Error('ONNX Runtime wrote no profile');
    const events = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const times = new Map(), kinds = new Map();  // node -> [us per pass], op type (insertion order: execution order)
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const node = e.name.slice(0, -'_kernel_time'.length);
      if (!times.has(node)) times.set(node, []), kinds.set(node, e.args.op_name);
      times.get(node).push(e.dur);
    }
    let total = 0;
    console.log(`ONNX Runtime ${require('onnxruntime-node/package.json').version}, ${threads} thread(s), batch ${shape[0]}: ` +
                `median ms per node over passes 2-${passes}`);
    for (const [node, us] of times) {
      const ms = median(us.slice(1)) / 1e3;
      total += ms;
      console.log(`${ms.toFixed(3).padStart(8)}  ${kinds.get(node).padEnd(18)} ${node}`);
    }
    console.log(`${total.toFixed(3).padStart(8)}  total`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`profile_ort.js: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
