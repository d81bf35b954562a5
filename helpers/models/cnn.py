"""The CIFAR-10 CNNs of source report 002: the baseline, CNNV2 and CNNV3."""

from __future__ import annotations

from torch import nn


def conv_block(in_channels: int, out_channels: int, *, batch_norm: bool = False,
               dropout: float = 0.0) -> nn.Sequential:
    """3 x 3 convolution (padding 1), [batch norm], ReLU, 2 x 2 max pooling, [dropout]."""
    layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, 3, padding=1,
                                         bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2)]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class BaselineCNN(nn.Module):
    """The baseline CNN of source report 002 ("figure 1 of the assignment"): three convolutional layers with
    8, 32 and 16 filters, max pooling, a fully connected head.

    The assignment figure is not in the source report, so these details are ours: 3 x 3 kernels with padding
    1, ReLU, 2 x 2 max pooling after every convolution (32 -> 16 -> 8 -> 4 pixels), then
    flatten (16 x 4 x 4 = 256), a hidden layer of 64 units with ReLU, and the 10-way output:
    24,282 parameters, as small as the source report's model was meant to be. No batch norm or dropout: that
    is what CNNV2 and CNNV3 add.
    """

    def __init__(self, num_classes: int = 10, hidden: int = 64) -> None:
        super().__init__()
        self.features = nn.Sequential(conv_block(3, 8), conv_block(8, 32), conv_block(32, 16))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, hidden),
                                        nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class CNNV2(nn.Module):
    """CNNV2 of source report 002: four convolutional layers with 16, 32, 64 and 128 filters, each followed
    by batch normalisation and max pooling (32 -> 2 pixels), then fully connected layers with
    dropout 0.4 (flatten 512 -> ``hidden`` -> classes)."""

    def __init__(self, num_classes: int = 10, widths: tuple[int, ...] = (16, 32, 64, 128),
                 hidden: int = 256, dropout: float = 0.4) -> None:
        super().__init__()
        channels = (3, *widths)
        self.features = nn.Sequential(*(conv_block(a, b, batch_norm=True)
                                        for a, b in zip(channels, channels[1:])))
        side = 32 // 2 ** len(widths)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(widths[-1] * side * side, hidden),
            nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def rising(start: float, end: float, steps: int) -> list[float]:
    """``steps`` rates spaced evenly from ``start`` to ``end`` (rounded to 3 decimals)."""
    if steps == 1:
        return [end]
    return [round(start + (end - start) * i / (steps - 1), 3) for i in range(steps)]


class CNNV3(nn.Module):
    """CNNV3 of source report 002: five convolutional blocks (32, 64, 128, 256, 512 filters), each with batch
    normalisation, max pooling and dropout, the dropout rising with depth from ``dropout_start`` to
    ``dropout_end`` (0.2 to 0.5 by default); the 512 x 1 x 1 map is classified by a hidden layer of
    ``hidden`` units with dropout ``dropout_end``. The source report trains it with Adam and weight
    decay 0.0001 (an optimiser setting, not part of the model)."""

    def __init__(self, num_classes: int = 10, widths: tuple[int, ...] = (32, 64, 128, 256, 512),
                 dropout_start: float = 0.2, dropout_end: float = 0.5, hidden: int = 256) -> None:
        super().__init__()
        channels = (3, *widths)
        rates = rising(min(dropout_start, dropout_end), dropout_end, len(widths))
        self.features = nn.Sequential(*(conv_block(a, b, batch_norm=True, dropout=rate)
                                        for a, b, rate in zip(channels, channels[1:], rates)))
        side = 32 // 2 ** len(widths)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(widths[-1] * side * side, hidden), nn.ReLU(inplace=True),
            nn.Dropout(dropout_end), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
