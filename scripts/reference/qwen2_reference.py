#!/usr/bin/env python3
"""PyTorch eager reference forward pass for Qwen2 / Llama / Mistral checkpoints, written for PRM Lens.

It follows the models' reference code (transformers' modeling_qwen2.py / modeling_llama.py with the "eager"
attention, Qwen2.5-Math-PRM's modeling_qwen2_rm.py, Skywork's prm_model.py) and reads a Hugging Face model folder
(config.json, *.safetensors with or without an index) with torch alone: no transformers, no safetensors package.

Heads, chosen from the weight names:
  lm     causal-LM logits [T, vocab]         lm_head.weight, or the embedding when tie_word_embeddings
  score  Qwen2.5-Math-PRM                    score.0 = Linear(h, h) + ReLU, score.2 = Linear(h, num_labels)
  value  Skywork PRM (value before sigmoid)  v_head.summary = Linear(h, 1)

It runs as a server so a caller can interleave its runs with another runtime's: it loads the model, prints one JSON
line {"loadMs", "rssMiB", "head", "dtype"}, then answers each JSON line on stdin
  {"ids": [...], "threads": n, "out": "optional/path.f32"}
with {"ms", "shape", "peakRssMiB"}; with "out" the head's output is written there as little-endian float32.

  /usr/bin/python3 scripts/reference/qwen2_reference.py MODEL_DIR [--dtype fp32|bf16]
"""

import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

SAFETENSORS_DTYPES = {
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "F64": torch.float64,
    "I64": torch.int64,
    "I32": torch.int32,
}


def read_safetensors(path):
    """One safetensors file: an 8-byte little-endian header length, a JSON header, then the raw tensor bytes."""
    with open(path, "rb") as f:
        data = bytearray(os.fstat(f.fileno()).st_size)  # writable, so torch.frombuffer shares it without a warning
        f.readinto(data)
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        count = math.prod(info["shape"])
        if count == 0:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
            continue
        t = torch.frombuffer(body[start:end], dtype=dtype, count=count)
        tensors[name] = t.reshape(info["shape"])
    return tensors


def read_weights(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))
    if not files:
        raise FileNotFoundError(f"{folder}: no *.safetensors files")
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(folder, name)))
    return weights


def rope_inverse_frequencies(config, head_dim):
    """RoPE frequencies, including Llama 3.1's "llama3" scaling of the long wavelengths."""
    theta = config.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    scaling = config.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind in (None, "default"):
        return inv
    if kind != "llama3":
        raise ValueError(f"rope_scaling type {kind!r} is not implemented by this reference")
    factor = scaling["factor"]
    low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
    old_context = scaling["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old_context / low, old_context / high
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old_context / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    return torch.where(medium, smoothed, scaled)


class Decoder:
    def __init__(self, folder, dtype):
        with open(os.path.join(folder, "config.json")) as f:
            self.config = c = json.load(f)
        model_type = c.get("model_type")
        if model_type not in ("qwen2", "llama", "mistral"):
            raise ValueError(f"model_type {model_type!r}: this reference runs qwen2, llama and mistral")
        raw = read_weights(folder)
        self.w = {k: v.to(dtype) for k, v in raw.items()}
        del raw
        self.dtype = dtype
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim") or c["hidden_size"] // self.heads
        self.eps = c["rms_norm_eps"]
        # Qwen2 always has q/k/v biases; Llama has q/k/v/o biases only with attention_bias; Mistral has none.
        self.qkv_bias = model_type == "qwen2" or c.get("attention_bias", False)
        self.o_bias = model_type == "llama" and c.get("attention_bias", False)
        self.mlp_bias = model_type == "llama" and c.get("mlp_bias", False)
        self.sliding_window = c.get("sliding_window") if c.get("use_sliding_window", model_type == "mistral") else None
        self.inv_freq = rope_inverse_frequencies(c, self.head_dim)
        if "score.0.weight" in self.w:
            self.head = "score"
        elif "v_head.summary.weight" in self.w:
            self.head = "value"
        else:
            self.head = "lm"
            if "lm_head.weight" not in self.w:
                if not c.get("tie_word_embeddings", False):
                    raise ValueError("no lm_head.weight and tie_word_embeddings is false")
                self.w["lm_head.weight"] = self.w["model.embed_tokens.weight"]

    def linear(self, x, name, bias=False):
        """x @ W^T (+ b); a bias the config calls for must be in the checkpoint."""
        return F.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"] if bias else None)

    def rms_norm(self, x, name):
        # As transformers: the statistics in float32, the weight multiplied in the model's dtype.
        x32 = x.float()
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.w[f"{name}.weight"] * x32.to(x.dtype)

    def rotary(self, positions):
        freqs = positions.float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def attention(self, x, layer, cos, sin, mask):
        T = x.shape[0]
        p = f"model.layers.{layer}.self_attn"
        q = self.linear(x, f"{p}.q_proj", self.qkv_bias).view(T, self.heads, self.head_dim).transpose(0, 1)
        k = self.linear(x, f"{p}.k_proj", self.qkv_bias).view(T, self.kv_heads, self.head_dim).transpose(0, 1)
        v = self.linear(x, f"{p}.v_proj", self.qkv_bias).view(T, self.kv_heads, self.head_dim).transpose(0, 1)
        q = q * cos + self.rotate_half(q) * sin
        k = k * cos + self.rotate_half(k) * sin
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=0)
        v = v.repeat_interleave(group, dim=0)
        scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(self.head_dim) + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(0, 1).reshape(T, self.heads * self.head_dim)
        return self.linear(out, f"{p}.o_proj", self.o_bias)

    def mlp(self, x, layer):
        p = f"model.layers.{layer}.mlp"
        gate = F.silu(self.linear(x, f"{p}.gate_proj", self.mlp_bias))
        return self.linear(gate * self.linear(x, f"{p}.up_proj", self.mlp_bias), f"{p}.down_proj", self.mlp_bias)

    def forward(self, ids):
        """One unpadded sequence, positions 0…T−1; returns the head's output in float32."""
        T = ids.shape[0]
        if self.sliding_window is not None and T > self.sliding_window:
            raise ValueError(f"{T} tokens exceed the sliding window {self.sliding_window}")
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        cos, sin = self.rotary(torch.arange(T))
        mask = torch.full((T, T), torch.finfo(self.dtype).min, dtype=self.dtype).triu(1)
        for layer in range(self.layers):
            p = f"model.layers.{layer}"
            x = x + self.attention(self.rms_norm(x, f"{p}.input_layernorm"), layer, cos, sin, mask)
            x = x + self.mlp(self.rms_norm(x, f"{p}.post_attention_layernorm"), layer)
        h = self.rms_norm(x, "model.norm")
        if self.head == "lm":
            return self.linear(h, "lm_head").float()
        if self.head == "score":
            return self.linear(F.relu(self.linear(h, "score.0", True)), "score.2", True).float()
        # Skywork's ValueHead upcasts the hidden state to its own (float32) weights.
        summary_w = self.w["v_head.summary.weight"].float()
        summary_b = self.w["v_head.summary.bias"].float()
        return F.linear(h.float(), summary_w, summary_b).squeeze(-1)


def rss_mib():
    # Peak resident memory of this process: VmHWM starts afresh at exec; getrusage's ru_maxrss carries over the
    # spawning process's peak, which would add the benchmark's own memory to every figure.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args()
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    torch.set_grad_enabled(False)
    t0 = time.perf_counter()
    model = Decoder(args.model, dtype)
    load_ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"loadMs": load_ms, "rssMiB": rss_mib(), "head": model.head, "dtype": args.dtype}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        torch.set_num_threads(int(request.get("threads", 1)))
        ids = torch.tensor(request["ids"], dtype=torch.int64)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model.forward(ids)
        ms = (time.perf_counter() - t0) * 1000
        if "out" in request:
            with open(request["out"], "wb") as f:
                f.write(out.contiguous().numpy().astype("<f4").tobytes())
        print(json.dumps({"ms": ms, "shape": list(out.shape), "peakRssMiB": rss_mib()}), flush=True)


if __name__ == "__main__":
    main()
