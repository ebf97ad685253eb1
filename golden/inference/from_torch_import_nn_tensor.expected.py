from torch import Tensor, nn, randn


class Head(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: Tensor) -> Tensor:
        h = self.fc(x)
        h = h * 0.5
        return h


Head()(randn(3, 4)).sum().backward()
