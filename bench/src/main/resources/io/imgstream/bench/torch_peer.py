"""The PyTorch peer of `imgstream bench model`: the same conv bases, timed the same way.

Shipped as a resource of imgstream's bench module and run by it with Debian's python3-torch and
python3-torchvision. Random weights (speed does not depend on weight values), torch.no_grad(),
torch.set_num_threads(--threads), one input of random pixels per case, --warmup untimed passes,
then the case's timed passes. Prints one JSON object on stdout:

  --probe: {"torch": VERSION, "torchvision": VERSION, "architectures": [NAME, ...]}
  a run:   {"torch": VERSION, "torchvision": VERSION, "threads": N,
            "results": [{"architecture": NAME, "size": PIXELS, "batch": N, "iterations": N,
                         "seconds": S, "images_per_second": R}, ...]}

Exit status 2: bad arguments (argparse); 3: torch or torchvision cannot be imported.
"""

import argparse
import json
import sys
import time

EXIT_NO_TORCH = 3


def _inception_v3_base(models, nn):
    # Keras's include_top=False InceptionV3 ends at mixed10, torchvision's Mixed_7c: everything but the
    # pooling, dropout and classifier.
    net = models.inception_v3(weights=None, aux_logits=False, init_weights=False)
    return nn.Sequential(*[m for name, m in net.named_children() if name not in ("avgpool", "dropout", "fc")])


def _resnet50_base(models, nn):
    net = models.resnet50(weights=None)
    return nn.Sequential(*[m for name, m in net.named_children() if name not in ("avgpool", "fc")])


# Each is the include_top=False base of the Keras application of the same name, as imgstream stores it.
ARCHITECTURES = {
    "vgg16": lambda models, nn: models.vgg16(weights=None).features,
    "vgg19": lambda models, nn: models.vgg19(weights=None).features,
    "resnet50": _resnet50_base,
    "inception_v3": _inception_v3_base,
    "mobilenet_v2": lambda models, nn: models.mobilenet_v2(weights=None).features,
}


def case(text):
    """ARCHITECTURE:SIZE:BATCH:ITERATIONS, e.g. vgg16:224:8:2."""
    parts = text.split(":")
    if len(parts) != 4:
        raise argparse.ArgumentTypeError("expected ARCHITECTURE:SIZE:BATCH:ITERATIONS, got '%s'" % text)
    name = parts[0]
    if name not in ARCHITECTURES:
        raise argparse.ArgumentTypeError(
            "unknown architecture '%s'; known: %s" % (name, ", ".join(sorted(ARCHITECTURES))))
    try:
        size, batch, iterations = (int(p) for p in parts[1:])
    except ValueError:
        raise argparse.ArgumentTypeError("size, batch and iterations must be integers in '%s'" % text)
    if size < 32 or batch < 1 or iterations < 1:
        raise argparse.ArgumentTypeError("size must be at least 32, batch and iterations at least 1 in '%s'" % text)
    return {"architecture": name, "size": size, "batch": batch, "iterations": iterations}


def arguments(argv):
    parser = argparse.ArgumentParser(description="Time torchvision conv bases like imgstream bench model.")
    parser.add_argument("--probe", action="store_true", help="print versions and architectures, time nothing")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default: 1)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes per case (default: 1)")
    parser.add_argument("--case", type=case, action="append", default=[], help="ARCHITECTURE:SIZE:BATCH:ITERATIONS")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.warmup < 0:
        parser.error("--threads must be at least 1 and --warmup at least 0")
    if not args.probe and not args.case:
        parser.error("give at least one --case, or --probe")
    return args


def main(argv):
    args = arguments(argv)
    try:
        import torch
        import torchvision
        from torch import nn
        from torchvision import models
    except ImportError as e:
        print("cannot import torch and torchvision: %s" % e, file=sys.stderr)
        return EXIT_NO_TORCH
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    if args.probe:
        print(json.dumps(dict(versions, architectures=sorted(ARCHITECTURES))))
        return 0
    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    results = []
    with torch.no_grad():
        for c in args.case:
            print("PyTorch %(architecture)s %(size)dx%(size)d batch %(batch)d..." % c, file=sys.stderr, flush=True)
            net = ARCHITECTURES[c["architecture"]](models, nn).eval()
            images = (torch.rand(c["batch"], 3, c["size"], c["size"]) - 0.5) * 255.0
            for _ in range(args.warmup):
                net(images)
            start = time.perf_counter()
            for _ in range(c["iterations"]):
                net(images)
            seconds = time.perf_counter() - start
            results.append(dict(c, seconds=seconds, images_per_second=c["batch"] * c["iterations"] / seconds))
    print(json.dumps(dict(versions, threads=torch.get_num_threads(), results=results)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
