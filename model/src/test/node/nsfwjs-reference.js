// Prints, as JSON, the class probabilities that nsfwjs@4.4.0 itself computes with @tensorflow/tfjs
// (pure-JS CPU backend) for the test photos: the independent reference that the DL4J import of the same
// TF.js layers models is compared against in NsfwjsImportTest.
//
// Each photo is already at the model's input size, so nsfwjs's infer() does exactly what it does for
// any image of that size: divide the 8-bit RGB values by 255 and run the model, with no resize.
//
// Usage: node nsfwjs-reference.js PHOTOS_DIR OUTPUT.json
// (writes a file rather than stdout because nsfwjs prints notices with console.log)
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const nsfwjs = require('nsfwjs');
const { PNG } = require('pngjs');

const RGBA = 4;
const RGB = 3;
const MODELS = [
  { key: 'mobilenet_v2', name: 'MobileNetV2', size: 224 },
  { key: 'inception_v3', name: 'InceptionV3', size: 299 },
];

function readRgb(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Int32Array(png.width * png.height * RGB);
  for (let i = 0, j = 0; i < png.data.length; i += RGBA, j += RGB) {
    rgb[j] = png.data[i];
    rgb[j + 1] = png.data[i + 1];
    rgb[j + 2] = png.data[i + 2];
  }
  return tf.tensor3d(rgb, [png.height, png.width, RGB], 'int32');
}

async function main() {
  const [photosDir, output] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const result = {
    generator: 'model/src/test/node/nsfwjs-reference.js',
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    nsfwjs: JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('nsfwjs')), '..', '..', 'package.json'))).version,
    preprocessing: 'RGB / 255 as float32, NHWC, photo already at the input size (no resize)',
    models: {},
  };
  for (const model of MODELS) {
    const nsfw = await nsfwjs.load(model.name, { size: model.size });
    const photos = {};
    for (const file of fs.readdirSync(photosDir).filter((f) => f.endsWith(`-${model.size}.png`)).sort()) {
      const image = readRgb(path.join(photosDir, file));
      const probabilities = tf.tidy(() => Array.from(nsfw.infer(image).dataSync()));
      image.dispose();
      photos[file] = probabilities;
    }
    result.models[model.key] = { size: model.size, photos };
    nsfw.dispose();
  }
  fs.writeFileSync(output, JSON.stringify(result, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
