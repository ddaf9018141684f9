#!/usr/bin/env python3
"""Training-step throughput of PyTorch for the shapes bench/train-bench.ts measures, so the two
can be compared side by side on one machine.

A step is what the Hugging Face Trainer does per batch: model.train() forward with dropout,
ElectraForQuestionAnswering's QA loss, backward, clip_grad_norm_(1.0), AdamW (weight decay 0.01,
none on biases and LayerNorm weights), and reading the loss back (loss.item(), which also
synchronises CUDA). Random init, full-length batches (every position attended), token ids from a
seeded generator, answers inside the context, as the tfjs bench.

    python3 bench/train-bench-pytorch.py [--only small|demo] [--steps N] [--device cuda|cpu]
                                         [--demo-vocab 1287] [--threads N] [--impl plain|hf]
                                         [--cases electra-small:8x384,electra-small:32x384]

Prints one JSON object with the same keys as `npm run bench:train` (backend is "cuda" or "cpu").
Needs torch; --impl plain (the default) is the plain-PyTorch peer model (bench/peer_electra.py),
--impl hf transformers' ElectraForQuestionAnswering (any version that has it).
"""
import argparse
import json
import os
import platform
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_electra import PeerConfig, PeerElectraForQuestionAnswering  # noqa: E402

ELECTRA_SMALL = dict(
    vocab_size=30522,
    embedding_size=128,
    hidden_size=256,
    num_hidden_layers=12,
    num_attention_heads=4,
    intermediate_size=1024,
    max_position_embeddings=512,
    hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1,
)

# The demo model's shape (src/domain/train/demo-settings.ts, DEMO_MODEL_SHAPE) and its training
# batch (DEMO_TRAINING: batch 8, max_length 192). vocab_size is the built demo vocabulary's size
# (printed by the tfjs bench as part of the demo config; pass --demo-vocab if it changes).
DEMO = dict(
    embedding_size=64,
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=256,
    max_position_embeddings=256,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
    initializer_range=0.15,
)
DEMO_BATCH = 8
DEMO_SEQ = 192


def synthetic_batch(vocab_size, batch, seq, seed, device):
    g = torch.Generator().manual_seed(seed)
    q = 16
    ids = torch.randint(5, vocab_size, (batch, seq), generator=g)
    ids[:, 0] = 2
    ids[:, q + 1] = 3
    ids[:, seq - 1] = 3
    token_type = torch.zeros((batch, seq), dtype=torch.long)
    token_type[:, q + 2:] = 1
    attention = torch.ones((batch, seq), dtype=torch.long)
    start = q + 2 + torch.randint(0, seq - q - 12, (batch,), generator=g)
    end = start + torch.randint(0, 8, (batch,), generator=g)
    to = lambda t: t.to(device)
    return dict(
        input_ids=to(ids),
        token_type_ids=to(token_type),
        attention_mask=to(attention),
        start_positions=to(start),
        end_positions=to(end),
    )


def make_optimizer(model):
    # The Trainer's grouping: no weight decay for biases and LayerNorm weights.
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if name.endswith(".bias") or "LayerNorm" in name else decay).append(p)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-4,
        betas=(0.9, 0.999),
        eps=1e-8,
    )


def step(model, optimizer, batch):
    optimizer.zero_grad(set_to_none=True)
    out = model(**batch)
    loss = out[0] if isinstance(out, tuple) else out.loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.item()


def make_model(shape, demo_vocab, impl):
    fields = dict(vocab_size=demo_vocab, **DEMO) if shape == "demo" else dict(ELECTRA_SMALL)
    if impl == "hf":
        from transformers import ElectraConfig, ElectraForQuestionAnswering

        return ElectraForQuestionAnswering(ElectraConfig(**fields))
    return PeerElectraForQuestionAnswering(PeerConfig(**fields))


def run_case(shape, backend, batch_size, seq, steps, demo_vocab, impl="plain"):
    device = torch.device(backend)
    torch.manual_seed(1)
    model = make_model(shape, demo_vocab, impl).to(device)
    config = model.config
    model.train()
    optimizer = make_optimizer(model)
    batch = synthetic_batch(config.vocab_size, batch_size, seq, 7, device)
    warmup_steps = 1
    losses = [step(model, optimizer, batch) for _ in range(warmup_steps)]
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        losses.append(step(model, optimizer, batch))
    if device.type == "cuda":
        torch.cuda.synchronize()
    per_step = (time.perf_counter() - t0) / steps
    return dict(
        shape=shape,
        backend=backend,
        batch=batch_size,
        seq=seq,
        steps=steps,
        warmupSteps=warmup_steps,
        msPerStep=round(per_step * 1000),
        examplesPerSecond=round(batch_size / per_step, 3),
        tokensPerSecond=round(batch_size * seq / per_step, 1),
        lossFirst=round(losses[0], 4),
        lossLast=round(losses[-1], 4),
        impl=impl,
    )


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["small", "demo"])
    ap.add_argument("--steps", type=int)
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--demo-vocab", type=int, default=1287)
    ap.add_argument("--threads", type=int, help="torch.set_num_threads (CPU runs)")
    ap.add_argument("--impl", choices=["plain", "hf"], default="plain", help="plain-PyTorch peer model, or transformers'")
    ap.add_argument("--cases", help="comma-separated shape:BATCHxSEQ (e.g. electra-small:8x384); replaces --only's cases")
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: CUDA is not available")
    if args.steps is not None and args.steps < 1:
        sys.exit("--steps must be a positive integer")
    if args.threads:
        torch.set_num_threads(args.threads)

    cases = []
    small_steps = args.steps or (10 if args.device == "cuda" else 2)
    demo_steps = args.steps or (20 if args.device == "cuda" else 5)
    if args.only != "demo":
        for seq in (384, 512):
            cases.append(("electra-small", args.device, 8, seq, small_steps))
    if args.only != "small":
        cases.append(("demo", args.device, DEMO_BATCH, DEMO_SEQ, demo_steps))
    if args.cases:
        cases = []
        for c in args.cases.split(","):
            shape, dims = c.split(":")
            if shape not in ("electra-small", "demo"):
                sys.exit(f"--cases: unknown shape {shape!r}")
            b, t = (int(x) for x in dims.split("x"))
            cases.append((shape, args.device, b, t, small_steps if shape == "electra-small" else demo_steps))

    results = []
    for shape, backend, batch, seq, steps in cases:
        print(f"{shape} on {backend}: batch {batch} x {seq}, {steps} steps...", file=sys.stderr)
        r = run_case(shape, backend, batch, seq, steps, args.demo_vocab, args.impl)
        print(f"  {r['msPerStep']} ms/step, {r['examplesPerSecond']} examples/s, {r['tokensPerSecond']} tokens/s", file=sys.stderr)
        results.append(r)

    versions = {"torch": torch.__version__, "python": platform.python_version(), "model": args.impl}
    if args.impl == "hf":
        import transformers

        versions["transformers"] = transformers.__version__
    if args.device == "cuda":
        versions["cuda"] = torch.version.cuda
        versions["gpu"] = torch.cuda.get_device_name(0)
    out = {
        "tool": "pytorch",
        "versions": versions,
        "machine": {
            "platform": f"{platform.system().lower()} {platform.machine()}",
            "cpus": os.cpu_count(),
            "cpuModel": cpu_model(),
            "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else [],
        },
        "results": results,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
