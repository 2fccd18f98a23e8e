package io.imgstream.model.bases;

import io.imgstream.model.preprocess.PixelScaling;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Keras applications whose {@code include_top=False} ImageNet weights {@code imgstream bases pull} downloads:
 * where Keras itself downloads them from ({@code keras/src/applications/*.py}), the md5 Keras checks them against
 * where it publishes one, and what the network expects.
 *
 * <p>Keras publishes no checksum for the MobileNet files ({@code get_file} is called without {@code file_hash});
 * those are stored with the sha256 of what was downloaded, and the pull says so.
 */
public enum KerasApplication {
    /** VGG16, 224x224 native (fully convolutional: any size from 32x32). */
    VGG16(
            "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc",
            224,
            PixelScaling.CAFFE_BGR,
            "block5_pool"),
    /** VGG19, 224x224 native. */
    VGG19(
            "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "253f8cb515780f3b799900260a226db6",
            224,
            PixelScaling.CAFFE_BGR,
            "block5_pool"),
    /** ResNet50, 224x224. */
    RESNET50(
            "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "4d473c1dd8becc155b73f8504c6f6626",
            224,
            PixelScaling.CAFFE_BGR,
            "conv5_block3_out"),
    /** InceptionV3, 299x299. */
    INCEPTION_V3(
            "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "bcbd6486424b2319ff4ef7d526e38f63",
            299,
            PixelScaling.TF,
            "mixed10"),
    /** Xception, 299x299. */
    XCEPTION(
            "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "b0042744bf5b25fce3cb969f33bebb97",
            299,
            PixelScaling.TF,
            "block14_sepconv2_act"),
    /** MobileNet (alpha 1.0), 224x224. Keras publishes no checksum. */
    MOBILENET("mobilenet/mobilenet_1_0_224_tf_no_top.h5", null, 224, PixelScaling.TF, "conv_pw_13_relu"),
    /** MobileNetV2 (alpha 1.0), 224x224. Keras publishes no checksum. */
    MOBILENET_V2(
            "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
            null,
            224,
            PixelScaling.TF,
            "out_relu");

    /** Where Keras downloads its application weights from; a mirror replaces this prefix. */
    public static final URI KERAS_DOWNLOADS =
            URI.create("https://storage.googleapis.com/tensorflow/keras-applications/");

    private final String path;
    private final String md5;
    private final int inputSize;
    private final PixelScaling scaling;
    private final String bottleneckLayer;

    KerasApplication(String path, String md5, int inputSize, PixelScaling scaling, String bottleneckLayer) {
        this.path = path;
        this.md5 = md5;
        this.inputSize = inputSize;
        this.scaling = scaling;
        this.bottleneckLayer = bottleneckLayer;
    }

    /** The name users type, e.g. {@code inception_v3}. */
    public String baseName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The application called {@code name}, ignoring case.
     *
     * @throws IllegalArgumentException naming the known applications
     */
    public static KerasApplication named(String name) {
        return find(name)
                .orElseThrow(() -> new IllegalArgumentException("no Keras application '" + name + "'; known: "
                        + Arrays.stream(values())
                                .map(KerasApplication::baseName)
                                .collect(Collectors.joining(", "))));
    }

    /** The application called {@code name}, ignoring case, if there is one. */
    public static Optional<KerasApplication> find(String name) {
        return Arrays.stream(values())
                .filter(a -> a.baseName().equalsIgnoreCase(name))
                .findFirst();
    }

    /** The application whose Keras download this file name is, if any (the file name Keras gives it). */
    public static Optional<KerasApplication> ofFileName(String fileName) {
        return Arrays.stream(values())
                .filter(a -> a.fileName().equals(fileName))
                .findFirst();
    }

    /** The weights file's name, as Keras names it. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * The download URL under {@code root}: {@link #KERAS_DOWNLOADS} or a mirror with the same layout.
     *
     * @param root a URL ending in {@code /}
     */
    public URI url(URI root) {
        return root.resolve(path);
    }

    /** The md5 Keras checks this file against, lowercase hex; empty where Keras publishes none. */
    public Optional<String> md5() {
        return Optional.ofNullable(md5);
    }

    /** Native input height and width in pixels. */
    public int inputSize() {
        return inputSize;
    }

    /** The pixel scaling Keras's {@code preprocess_input} applies for this network. */
    public PixelScaling scaling() {
        return scaling;
    }

    /** The last layer of the {@code include_top=False} network, the default bottleneck. */
    public String bottleneckLayer() {
        return bottleneckLayer;
    }

    /** Whether imgstream builds this architecture itself, so a weights-only file fills it without a model JSON. */
    public boolean builtIn() {
        return this == VGG16 || this == VGG19;
    }
}
