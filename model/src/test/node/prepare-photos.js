// Makes the test photos: centre-crops each source PNG to a square and resizes it to each network's
// input size with the resize nsfwjs itself uses (tf.image.resizeBilinear, alignCorners = true), rounded
// back to 8-bit RGB. The committed result is the input of both sides of the comparison, so the check
// isolates the network from resize differences between tfjs and Java2D.
//
// Usage: node prepare-photos.js OUTPUT_DIR SIZE[,SIZE...] SOURCE.png...
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const { PNG } = require('pngjs');

const RGBA = 4;
const RGB = 3;

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

function writeRgb(tensor, file) {
  const [height, width] = tensor.shape;
  const values = tensor.dataSync();
  const png = new PNG({ width, height, colorType: 2 });
  for (let i = 0, j = 0; j < values.length; i += RGBA, j += RGB) {
    png.data[i] = values[j];
    png.data[i + 1] = values[j + 1];
    png.data[i + 2] = values[j + 2];
    png.data[i + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 2 }));
}

const [outputDir, sizeList, ...sources] = process.argv.slice(2);
const sizes = sizeList.split(',').map(Number);
for (const source of sources) {
  const image = readRgb(source);
  const [height, width] = image.shape;
  const side = Math.min(height, width);
  const square = image.slice([Math.floor((height - side) / 2), Math.floor((width - side) / 2), 0], [side, side, RGB]);
  for (const size of sizes) {
    const resized = tf.tidy(() => tf.image.resizeBilinear(square.toFloat(), [size, size], true).round().clipByValue(0, 255).toInt());
    const name = `${path.basename(source, '.png')}-${size}.png`;
    writeRgb(resized, path.join(outputDir, name));
    console.log(`${name} ${size}x${size} from ${width}x${height}`);
  }
}
