"""Models people already have, read into the notation: PyTorch modules (``torch.fx``) and ONNX files."""
