"""U-Net as in Ronneberger, Fischer & Brox, "U-Net: Convolutional Networks for Biomedical Image
Segmentation" (MICCAI 2015), Figure 1, in plain PyTorch: the referee of examples/unet.cnn.

Contracting path: per level two unpadded 3x3 convolutions (with bias) each followed by ReLU, then a
2x2 max pool with stride 2; 64 channels doubling to 1024 at the bottom. Expanding path: per level a
2x2 up-convolution (transposed convolution, stride 2) halving the channels, concatenation with the
center-cropped feature map of the same level of the contracting path, two 3x3 convolutions + ReLU.
A final 1x1 convolution maps the 64 channels to the classes. At 572x572x1: 388x388x2 and
31,030,658 parameters.

The concatenation puts the cropped skip first and the upsampled map second, as Figure 1 draws it
(white box, then blue box). ``skip_first=False`` gives the other order (the order examples/unet.cnn
has, since its sizeless ``crop`` must be in the later branch); no count depends on it.
The input height and width must leave every pooled map even: 188, 204, ..., 572, ... (16t + 60 with
t >= 8); the output is then 184 smaller on each side.
"""

from __future__ import annotations

import torch
from torch import nn


def center_crop(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    top, left = (x.shape[-2] - height) // 2, (x.shape[-1] - width) // 2
    return x[:, :, top:top + height, left:left + width]


def double_conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3), nn.ReLU(inplace=True),
                         nn.Conv2d(c_out, c_out, 3), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, channels: int = 1, classes: int = 2, width: int = 64, depth: int = 4,
                 skip_first: bool = True) -> None:
        super().__init__()
        widths = [width * 2 ** i for i in range(depth + 1)]          # 64, 128, 256, 512, 1024
        self.skip_first = skip_first
        self.down = nn.ModuleList(double_conv(a, b) for a, b in zip([channels, *widths[:-2]], widths[:-1]))
        self.pool = nn.MaxPool2d(2, 2)
        self.bottom = double_conv(widths[-2], widths[-1])
        self.upconv = nn.ModuleList(nn.ConvTranspose2d(b, a, 2, stride=2) for a, b in
                                    zip(reversed(widths[:-1]), reversed(widths[1:])))
        self.up = nn.ModuleList(double_conv(b, a) for a, b in zip(reversed(widths[:-1]), reversed(widths[1:])))
        self.head = nn.Conv2d(width, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottom(x)
        for upconv, block, skip in zip(self.upconv, self.up, reversed(skips)):
            x = upconv(x)
            cropped = center_crop(skip, x.shape[-2], x.shape[-1])
            x = block(torch.cat((cropped, x) if self.skip_first else (x, cropped), dim=1))
        return self.head(x)


if __name__ == "__main__":
    net = UNet()
    print(sum(p.numel() for p in net.parameters()), tuple(net(torch.zeros(1, 1, 572, 572)).shape))
