#!/usr/bin/python3
"""Generates the tiny ONNX classifier fixtures for tests/Pipeline.Tests/Inference and Export.

Run from the repository root with Debian's Python (torch 1.13, onnx 1.12):
    /usr/bin/python3 scripts/make_test_models.py
It rewrites tests/Pipeline.Tests/Fixtures/Inference/{tiny_classifier.onnx,
tiny_classifier_batch1.onnx, tiny_classifier_expected.json}.

The model has the structure of a torchvision classifier (conv -> relu -> 4-D feature map ->
global average pool -> flatten -> Linear as Gemm), so the graph surgery the featurizer does on
ResNet50/InceptionV3 is exercised on a file of a few KB. The feature map (the ReLU output) is NOT
a graph output; the JSON holds a fixed input batch and the values the featurizer must produce
from it with global-average pooling and with no pooling (flatten), computed by torch.
"""
import json
import os

import onnx
import torch
from torch import nn

OUT = os.path.join("tests", "Pipeline.Tests", "Fixtures", "Inference")
SIZE = 8


class TinyClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        features = self.relu(self.conv(x))
        pooled = torch.flatten(self.avgpool(features), 1)
        return self.fc(pooled)

    def feature_map(self, x):
        return self.relu(self.conv(x))


def relu_output_name(path):
    graph = onnx.load(path).graph
    names = [n.output[0] for n in graph.node if n.op_type == "Relu"]
    assert len(names) == 1, names
    return names[0]


def main():
    torch.manual_seed(1234)
    model = TinyClassifier().eval()
    x = torch.randn(2, 3, SIZE, SIZE)
    os.makedirs(OUT, exist_ok=True)
    dynamic = os.path.join(OUT, "tiny_classifier.onnx")
    fixed = os.path.join(OUT, "tiny_classifier_batch1.onnx")
    torch.onnx.export(model, x, dynamic, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    torch.onnx.export(model, x[:1], fixed, input_names=["input"], output_names=["logits"], opset_version=13)
    with torch.no_grad():
        fmap = model.feature_map(x)
        logits = model(x)
    feature_node = relu_output_name(dynamic)
    assert feature_node == relu_output_name(fixed)
    expected = {
        "inputName": "input",
        "inputSize": SIZE,
        "featureNode": feature_node,
        "featureShape": list(fmap.shape[1:]),
        "input": x.flatten().tolist(),
        "globalAverage": fmap.mean(dim=(2, 3)).flatten().tolist(),
        "flatten": fmap.flatten().tolist(),
        "logits": logits.flatten().tolist(),
    }
    with open(os.path.join(OUT, "tiny_classifier_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("feature node:", feature_node)


if __name__ == "__main__":
    main()
