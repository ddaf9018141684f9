#!/usr/bin/env python3
"""Checks the plain-PyTorch peer (peer_electra.py) against a parity fixture computed with
transformers: start/end logits, last hidden state and the plain QA loss, dropout off (the
fixture's gradients are of its smoothed, weighted loss, which the peer does not implement). Run it wherever the peer is benchmarked, so its numbers are known to
be ELECTRA's.

    python3 bench/peer_electra_check.py [FIXTURE_DIR] [--device cuda|cpu]

Prints one JSON line; exits 1 when a value is off by more than 1e-4 (relative to its scale).
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_electra import PeerConfig, PeerElectraForQuestionAnswering  # noqa: E402


def read_safetensors(path):
    """The safetensors layout (8-byte header size, JSON header, raw little-endian data), F32 only."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, only F32 is read")
        a, b = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(info["shape"])
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    device = "cuda" if "--device" in sys.argv and sys.argv[sys.argv.index("--device") + 1] == "cuda" else "cpu"
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "reference", "parity", "electra-tiny")
    with open(os.path.join(root, "config.json")) as f:
        cfg = json.load(f)
    fields = {k: cfg[k] for k in PeerConfig().__dict__ if k in cfg}
    fields.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    model = PeerElectraForQuestionAnswering(PeerConfig(**fields)).to(device)
    missing, unexpected = model.load_state_dict({k: v.to(device) for k, v in read_safetensors(os.path.join(root, "model.safetensors")).items()}, strict=False)
    if missing or unexpected:
        sys.exit(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    with open(os.path.join(root, "inputs.json")) as f:
        inputs = json.load(f)
    expected = read_safetensors(os.path.join(root, "expected.safetensors"))
    with open(os.path.join(root, "expected.json")) as f:
        expected_json = json.load(f)
    t = lambda k: torch.tensor(inputs[k], device=device)
    hidden = {}
    last_layer = model.electra.encoder.layer[-1]
    last_layer.register_forward_hook(lambda m, i, o: hidden.__setitem__("h", o))
    with torch.no_grad():
        loss, start, end = model(t("input_ids"), t("attention_mask"), t("token_type_ids"), t("start_positions"), t("end_positions"))

    worst = {}

    def check(name, got, want):
        want = want.to(got.device)
        err = (got - want).abs().max().item() / max(want.abs().max().item(), 1e-12)
        worst[name] = err

    check("start_logits", start.detach(), expected["start_logits"])
    check("end_logits", end.detach(), expected["end_logits"])
    check("last_hidden_state", hidden["h"].detach(), expected["last_hidden_state"])
    worst["loss"] = abs(loss.item() - expected_json["loss"]) / abs(expected_json["loss"])
    ok = all(v < 1e-4 for v in worst.values())
    print(json.dumps({"tool": "peer-electra-check", "fixture": os.path.basename(os.path.normpath(root)), "device": device, "maxRelErr": worst, "pass": ok}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
