# expected-verdict: fixed
# all work inside main(); the leaves are local variables.
import torch


def main():
    w = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    y = torch.exp(w)
    y = y.add(b)
    loss = (y * y).sum()
    loss.backward()
    print(w.grad, b.grad)


if __name__ == "__main__":
    main()
