#!/usr/bin/python3
"""Writes a VGG16 include_top=False weights file in the layout Keras's model.save_weights() gives it (the layout of
Keras's vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5), from seeded random weights, and computes, with numpy
alone, what that network gives for one input: each layer's output, channels last, as Keras would.

Usage: keras_vgg16_weights.py OUT_DIR SIZE
Writes OUT_DIR/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5, OUT_DIR/input.f32 (SIZE x SIZE x 3, little-endian
float32, already preprocessed), and OUT_DIR/activations.json: per layer its shape, mean and first values.
"""
import json
import sys

import h5py
import numpy as np

BLOCKS = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]


def conv_same(x, kernel, bias):
    """Cross-correlation with 'same' padding and stride 1, as tf.nn.conv2d computes it; x is H x W x C."""
    h, w, _ = x.shape
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    columns = np.stack([padded[i:i + h, j:j + w, :] for i in range(3) for j in range(3)], axis=2)
    out = columns.reshape(h * w, -1) @ kernel.reshape(-1, kernel.shape[-1])
    return np.maximum(out.reshape(h, w, -1) + bias, 0.0)


def max_pool(x):
    """2x2 max pooling, stride 2, 'valid' (odd sizes rounded down), as Keras's MaxPooling2D default."""
    h, w, c = x.shape
    x = x[: h // 2 * 2, : w // 2 * 2, :]
    return x.reshape(h // 2, 2, w // 2, 2, c).max(axis=(1, 3))


def main(out_dir, size):
    rng = np.random.default_rng(20261203)
    image = rng.normal(0.0, 50.0, size=(size, size, 3)).astype(np.float32)
    image.astype("<f4").tofile(f"{out_dir}/input.f32")
    x = image.astype(np.float64)
    activations = {}
    layer_names = []
    with h5py.File(f"{out_dir}/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "w") as f:
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4"
        layer_names.append(b"input_1")
        f.create_group("input_1").attrs["weight_names"] = np.array([], dtype="S")
        channels = 3
        for block, (convs, filters) in enumerate(BLOCKS, start=1):
            for conv in range(1, convs + 1):
                name = f"block{block}_conv{conv}"
                # He-scaled so activations neither vanish nor explode through 13 layers.
                kernel = rng.normal(0.0, np.sqrt(2.0 / (9 * channels)), size=(3, 3, channels, filters)).astype(
                    np.float32)
                bias = rng.normal(0.0, 0.05, size=(filters,)).astype(np.float32)
                group = f.create_group(name)
                group.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
                inner = group.create_group(name)
                inner.create_dataset("kernel:0", data=kernel)
                inner.create_dataset("bias:0", data=bias)
                layer_names.append(name.encode())
                x = conv_same(x, kernel.astype(np.float64), bias.astype(np.float64))
                activations[name] = x
                channels = filters
            pool = f"block{block}_pool"
            f.create_group(pool).attrs["weight_names"] = np.array([], dtype="S")
            layer_names.append(pool.encode())
            x = max_pool(x)
            activations[pool] = x
        f.attrs["layer_names"] = np.array(layer_names)
    summary = {
        name: {"shape": list(a.shape), "mean": float(a.mean()), "first": [float(v) for v in a.reshape(-1)[:16]]}
        for name, a in activations.items()
    }
    with open(f"{out_dir}/activations.json", "w") as out:
        json.dump(summary, out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
