#!/usr/bin/python3
"""Writes a Keras application's include_top=False network, ResNet50 or Xception, as Keras's model.save() lays it
out (the architecture as the model_config attribute, the weights under model_weights), with seeded random weights.
No Keras or TensorFlow is needed: the layers, their names and their order follow keras/applications/resnet.py and
xception.py, as model.to_json() writes them.

Usage: keras_application_random.py ARCHITECTURE OUT_H5 SIZE
ARCHITECTURE is resnet50 or xception; SIZE the input's height and width.

The weights keep activations in a range where float32 differences mean something: He-scaled kernels, moving
statistics near the identity, and each residual branch's last normalisation scaled down so that sums over 16
blocks neither vanish nor explode.
"""
import json
import sys

import h5py
import numpy as np

INITIALIZERS = {
    "kernel_initializer": {"class_name": "VarianceScaling",
                           "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
    "bias_initializer": {"class_name": "Zeros", "config": {}},
    "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
    "kernel_constraint": None, "bias_constraint": None,
}


class Network:
    """Layers in model.to_json()'s form, and their weights in model.save()'s order."""

    def __init__(self, size, seed):
        self.layers = []
        self.weights = {}
        self.channels = {}
        self.counts = {}
        self.rng = np.random.default_rng(seed)
        self.layers.append({"name": "input_1", "class_name": "InputLayer",
                            "config": {"batch_input_shape": [None, size, size, 3], "dtype": "float32",
                                       "sparse": False, "name": "input_1"},
                            "inbound_nodes": []})
        self.channels["input_1"] = 3

    def _name(self, name, default):
        if name is not None:
            return name
        # Keras numbers unnamed layers per kind: conv2d, conv2d_1, ...
        count = self.counts.get(default, 0)
        self.counts[default] = count + 1
        return default if count == 0 else f"{default}_{count}"

    def _add(self, class_name, name, config, inputs, channels, weights=()):
        config = dict(config, name=name, trainable=True, dtype="float32")
        self.layers.append({"name": name, "class_name": class_name, "config": config,
                            "inbound_nodes": [[[i, 0, 0, {}] for i in inputs]]})
        self.channels[name] = channels
        self.weights[name] = list(weights)
        return name

    def conv(self, x, filters, kernel, strides=1, padding="valid", use_bias=True, name=None):
        name = self._name(name, "conv2d")
        fan_in = kernel * kernel * self.channels[x]
        weights = [("kernel:0", self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (kernel, kernel, self.channels[x], filters)))]
        if use_bias:
            weights.append(("bias:0", self.rng.normal(0.0, 0.05, (filters,))))
        config = dict(INITIALIZERS, filters=filters, kernel_size=[kernel, kernel], strides=[strides, strides],
                      padding=padding, data_format="channels_last", dilation_rate=[1, 1], activation="linear",
                      use_bias=use_bias)
        return self._add("Conv2D", name, config, [x], filters, weights)

    def separable(self, x, filters, name):
        channels = self.channels[x]
        weights = [("depthwise_kernel:0", self.rng.normal(0.0, np.sqrt(2.0 / 9), (3, 3, channels, 1))),
                   ("pointwise_kernel:0", self.rng.normal(0.0, np.sqrt(1.0 / channels), (1, 1, channels, filters)))]
        config = dict(INITIALIZERS, filters=filters, kernel_size=[3, 3], strides=[1, 1], padding="same",
                      data_format="channels_last", dilation_rate=[1, 1], depth_multiplier=1, activation="linear",
                      use_bias=False,
                      depthwise_initializer=INITIALIZERS["kernel_initializer"],
                      pointwise_initializer=INITIALIZERS["kernel_initializer"],
                      depthwise_regularizer=None, pointwise_regularizer=None,
                      depthwise_constraint=None, pointwise_constraint=None)
        return self._add("SeparableConv2D", name, config, [x], filters, weights)

    def batch_norm(self, x, epsilon, name=None, gamma=1.0):
        name = self._name(name, "batch_normalization")
        c = self.channels[x]
        weights = [("gamma:0", gamma * self.rng.uniform(0.8, 1.2, (c,))),
                   ("beta:0", self.rng.normal(0.0, 0.1, (c,))),
                   ("moving_mean:0", self.rng.normal(0.0, 0.1, (c,))),
                   ("moving_variance:0", self.rng.uniform(0.8, 1.5, (c,)))]
        config = {"axis": 3, "momentum": 0.99, "epsilon": epsilon, "center": True, "scale": True,
                  "beta_initializer": {"class_name": "Zeros", "config": {}},
                  "gamma_initializer": {"class_name": "Ones", "config": {}},
                  "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
                  "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                  "beta_regularizer": None, "gamma_regularizer": None,
                  "beta_constraint": None, "gamma_constraint": None}
        return self._add("BatchNormalization", name, config, [x], c, weights)

    def relu(self, x, name):
        return self._add("Activation", name, {"activation": "relu"}, [x], self.channels[x])

    def zero_pad(self, x, pad, name):
        return self._add("ZeroPadding2D", name, {"padding": [[pad, pad], [pad, pad]], "data_format": "channels_last"},
                         [x], self.channels[x])

    def max_pool(self, x, padding, name):
        config = {"pool_size": [3, 3], "padding": padding, "strides": [2, 2], "data_format": "channels_last"}
        return self._add("MaxPooling2D", name, config, [x], self.channels[x])

    def add(self, inputs, name=None):
        return self._add("Add", self._name(name, "add"), {}, inputs, self.channels[inputs[0]])

    def save(self, path, output):
        model_config = {"class_name": "Model",
                        "config": {"name": "model_1", "layers": self.layers,
                                   "input_layers": [["input_1", 0, 0]], "output_layers": [[output, 0, 0]]}}
        with h5py.File(path, "w") as f:
            f.attrs["keras_version"] = b"2.2.4"
            f.attrs["backend"] = b"tensorflow"
            f.attrs["model_config"] = json.dumps(model_config).encode()
            group = f.create_group("model_weights")
            group.attrs["keras_version"] = b"2.2.4"
            group.attrs["backend"] = b"tensorflow"
            group.attrs["layer_names"] = np.array([layer["name"].encode() for layer in self.layers])
            for layer in self.layers:
                name = layer["name"]
                weights = self.weights.get(name, [])
                layer_group = group.create_group(name)
                layer_group.attrs["weight_names"] = np.array([f"{name}/{w}".encode() for w, _ in weights], dtype="S")
                if weights:
                    inner = layer_group.create_group(name)
                    for weight, values in weights:
                        inner.create_dataset(weight, data=values.astype(np.float32))


def resnet50(net):
    """keras/applications/resnet.py, ResNet50 with include_top=False and no pooling."""
    x = net.zero_pad("input_1", 3, "conv1_pad")
    x = net.conv(x, 64, 7, strides=2, name="conv1_conv")
    x = net.batch_norm(x, 1.001e-5, "conv1_bn")
    x = net.relu(x, "conv1_relu")
    x = net.zero_pad(x, 1, "pool1_pad")
    x = net.max_pool(x, "valid", "pool1_pool")
    for stack, (filters, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=2):
        for block in range(1, blocks + 1):
            name = f"conv{stack}_block{block}"
            if block == 1:
                shortcut = net.conv(x, 4 * filters, 1, strides=stride, name=name + "_0_conv")
                shortcut = net.batch_norm(shortcut, 1.001e-5, name + "_0_bn")
            else:
                shortcut = x
            y = net.conv(x, filters, 1, strides=stride if block == 1 else 1, name=name + "_1_conv")
            y = net.relu(net.batch_norm(y, 1.001e-5, name + "_1_bn"), name + "_1_relu")
            y = net.conv(y, filters, 3, padding="same", name=name + "_2_conv")
            y = net.relu(net.batch_norm(y, 1.001e-5, name + "_2_bn"), name + "_2_relu")
            y = net.conv(y, 4 * filters, 1, name=name + "_3_conv")
            y = net.batch_norm(y, 1.001e-5, name + "_3_bn", gamma=0.2)
            x = net.relu(net.add([shortcut, y], name + "_add"), name + "_out")
    return x


def xception(net):
    """keras/applications/xception.py, Xception with include_top=False and no pooling."""
    x = net.conv("input_1", 32, 3, strides=2, use_bias=False, name="block1_conv1")
    x = net.relu(net.batch_norm(x, 1e-3, "block1_conv1_bn"), "block1_conv1_act")
    x = net.conv(x, 64, 3, use_bias=False, name="block1_conv2")
    x = net.relu(net.batch_norm(x, 1e-3, "block1_conv2_bn"), "block1_conv2_act")
    for block, filters in [(2, 128), (3, 256), (4, 728)]:
        residual = net.conv(x, filters, 1, strides=2, padding="same", use_bias=False)
        residual = net.batch_norm(residual, 1e-3)
        if block > 2:
            x = net.relu(x, f"block{block}_sepconv1_act")
        x = net.separable(x, filters, f"block{block}_sepconv1")
        x = net.batch_norm(x, 1e-3, f"block{block}_sepconv1_bn")
        x = net.relu(x, f"block{block}_sepconv2_act")
        x = net.separable(x, filters, f"block{block}_sepconv2")
        x = net.batch_norm(x, 1e-3, f"block{block}_sepconv2_bn")
        x = net.max_pool(x, "same", f"block{block}_pool")
        x = net.add([x, residual])
    for block in range(5, 13):
        residual = x
        for conv in range(1, 4):
            prefix = f"block{block}_sepconv{conv}"
            x = net.relu(x, prefix + "_act")
            x = net.separable(x, 728, prefix)
            x = net.batch_norm(x, 1e-3, prefix + "_bn", gamma=0.3 if conv == 3 else 1.0)
        x = net.add([x, residual])
    residual = net.batch_norm(net.conv(x, 1024, 1, strides=2, padding="same", use_bias=False), 1e-3)
    x = net.relu(x, "block13_sepconv1_act")
    x = net.batch_norm(net.separable(x, 728, "block13_sepconv1"), 1e-3, "block13_sepconv1_bn")
    x = net.relu(x, "block13_sepconv2_act")
    x = net.batch_norm(net.separable(x, 1024, "block13_sepconv2"), 1e-3, "block13_sepconv2_bn")
    x = net.max_pool(x, "same", "block13_pool")
    x = net.add([x, residual])
    x = net.batch_norm(net.separable(x, 1536, "block14_sepconv1"), 1e-3, "block14_sepconv1_bn")
    x = net.relu(x, "block14_sepconv1_act")
    x = net.batch_norm(net.separable(x, 2048, "block14_sepconv2"), 1e-3, "block14_sepconv2_bn")
    return net.relu(x, "block14_sepconv2_act")


def main(architecture, out, size):
    builders = {"resnet50": resnet50, "xception": xception}
    if architecture not in builders:
        sys.exit(f"unknown architecture '{architecture}'; known: {', '.join(builders)}")
    net = Network(size, seed=20261205)
    net.save(out, builders[architecture](net))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
