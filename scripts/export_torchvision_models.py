#!/usr/bin/python3
"""Exports torchvision InceptionV3 and ResNet50 classifiers to ONNX for the model zoo.

    /usr/bin/python3 scripts/export_torchvision_models.py [--models-dir models] [--pretrained]

Writes <models-dir>/inceptionv3.onnx (299x299) and <models-dir>/resnet50.onnx (224x224), each
WITH its classifier attached and a dynamic batch axis, input named "input" (NCHW float, RGB,
torchvision normalisation). The featurizer peels the classifier off by reading the last 4-D
feature map (see config/models.yaml: featureNode), so the exported file is the ordinary
classifier anyone can check against torchvision.

Without --pretrained the weights are random (weights=None): enough to test shapes, speed and the
graph surgery offline. With --pretrained torchvision downloads the ImageNet weights (needs
internet or a populated TORCH_HOME cache).
"""
import argparse
import os

import onnx
import torch
import torchvision


def export(model, size, path):
    model.eval()
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, dummy, path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    graph = onnx.load(path).graph
    gap = [n for n in graph.node if n.op_type in ("GlobalAveragePool", "ReduceMean", "AveragePool")]
    print(f"{path}: {len(graph.node)} nodes; pooling node {gap[-1].op_type} reads '{gap[-1].input[0]}'")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--pretrained", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.models_dir, exist_ok=True)
    inception_weights = "IMAGENET1K_V1" if args.pretrained else None
    resnet_weights = "IMAGENET1K_V2" if args.pretrained else None
    # Eval mode never runs the auxiliary head; torchvision insists on aux_logits=True with
    # pretrained weights and allows False (smaller graph) with random ones.
    inception = torchvision.models.inception_v3(weights=inception_weights, aux_logits=args.pretrained,
                                                init_weights=not args.pretrained)
    export(inception, 299, os.path.join(args.models_dir, "inceptionv3.onnx"))
    export(torchvision.models.resnet50(weights=resnet_weights), 224, os.path.join(args.models_dir, "resnet50.onnx"))


if __name__ == "__main__":
    main()
