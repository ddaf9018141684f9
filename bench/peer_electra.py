"""ElectraForQuestionAnswering in plain PyTorch (no transformers), for benchmarks on machines that
have torch only. The architecture of ../shared/reference/README.md and of transformers' ELECTRA:

  embeddings: word + position + token type -> LayerNorm -> dropout (-> embeddings_project when
  embedding_size != hidden_size); N post-LayerNorm layers: self-attention with the additive mask
  (1 - mask) * float32 min, softmax, dropout on the probabilities, output dense, dropout,
  LayerNorm(residual); intermediate dense + exact GELU, output dense, dropout, LayerNorm(residual);
  QA head Linear(hidden, 2); loss = (CE(start) + CE(end)) / 2 with positions clamped to T
  (ignored).

Parameter names are transformers' (electra.embeddings.word_embeddings.weight, ...), so a
state_dict moves between the two. Initialisation: normal(0, initializer_range) for weights and
embeddings, zeros for biases, ones for LayerNorm weights (ElectraPreTrainedModel._init_weights).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


class PeerConfig:
    def __init__(self, vocab_size=30522, embedding_size=128, hidden_size=256, num_hidden_layers=12, num_attention_heads=4,
                 intermediate_size=1024, max_position_embeddings=512, type_vocab_size=2, hidden_dropout_prob=0.1,
                 attention_probs_dropout_prob=0.1, layer_norm_eps=1e-12, initializer_range=0.02):
        self.__dict__.update({k: v for k, v in locals().items() if k != "self"})


class _Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.embedding_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.embedding_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.embedding_size)
        self.LayerNorm = nn.LayerNorm(c.embedding_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)[None] + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class _SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def forward(self, h, mask_bias):
        b, t, width = h.shape
        split = lambda x: x.view(b, t, self.heads, width // self.heads).transpose(1, 2)
        q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
        scores = q @ k.transpose(-1, -2) / math.sqrt(width // self.heads) + mask_bias
        ctx = self.dropout(scores.softmax(-1)) @ v
        return ctx.transpose(1, 2).reshape(b, t, width)


class _Output(nn.Module):
    def __init__(self, width_in, width, c):
        super().__init__()
        self.dense = nn.Linear(width_in, width)
        self.LayerNorm = nn.LayerNorm(width, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class _Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.add_module("self", _SelfAttention(c))
        self.output = _Output(c.hidden_size, c.hidden_size, c)

    def forward(self, h, mask_bias):
        return self.output(getattr(self, "self")(h, mask_bias), h)


class _Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, h):
        return F.gelu(self.dense(h))


class _Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = _Attention(c)
        self.intermediate = _Intermediate(c)
        self.output = _Output(c.intermediate_size, c.hidden_size, c)

    def forward(self, h, mask_bias):
        a = self.attention(h, mask_bias)
        return self.output(self.intermediate(a), a)


class _Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([_Layer(c) for _ in range(c.num_hidden_layers)])


class _Electra(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = _Embeddings(c)
        if c.embedding_size != c.hidden_size:
            self.embeddings_project = nn.Linear(c.embedding_size, c.hidden_size)
        self.encoder = _Encoder(c)


class PeerElectraForQuestionAnswering(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.electra = _Electra(c)
        self.qa_outputs = nn.Linear(c.hidden_size, 2)
        self.apply(self._init)

    def _init(self, m):
        r = self.config.initializer_range
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, r)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, r)
            if m.padding_idx is not None:
                with torch.no_grad():
                    m.weight[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, token_type_ids, start_positions=None, end_positions=None):
        e = self.electra
        h = e.embeddings(input_ids, token_type_ids)
        if hasattr(e, "embeddings_project"):
            h = e.embeddings_project(h)
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
        for layer in e.encoder.layer:
            h = layer(h, mask_bias)
        start, end = self.qa_outputs(h).split(1, dim=-1)
        start, end = start.squeeze(-1), end.squeeze(-1)
        loss = None
        if start_positions is not None:
            t = start.shape[1]
            loss = (F.cross_entropy(start, start_positions.clamp(0, t), ignore_index=t) + F.cross_entropy(end, end_positions.clamp(0, t), ignore_index=t)) / 2
        return loss, start, end
