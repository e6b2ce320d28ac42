"""One 0..1 figure across a ComfyUI workflow, from the engine's own messages.

ComfyUI reports which node runs (`executing`), which were skipped because their result was cached
(`execution_cached`), and the steps of the nodes that count them (`progress {value, max}`: a
sampler's steps). Each node gets a weight by what it usually costs, so the bar moves with the time
spent rather than with the node count: a sampler is most of a job, loading a model some of it
(the first time), the rest little. The figure never goes back.
"""

from __future__ import annotations

from typing import Any

# By part of the class name (checked in this order); anything else weighs 1.
_WEIGHTS = (("Sampler", 12.0), ("Upscale", 4.0), ("Loader", 3.0), ("VAE", 2.0))


def node_weight(class_type: str) -> float:
    for part, weight in _WEIGHTS:
        if part.lower() in class_type.lower():
            return weight
    return 1.0


class WorkflowProgress:
    def __init__(self, graph: dict[str, Any] | None = None) -> None:
        self.graph: dict[str, Any] = {}
        self._weights: dict[str, float] = {}
        self._total = 0.0
        self._done: set[str] = set()
        self._current: str | None = None
        self._step = 0.0  # the current node's own progress, 0..1
        self._figure = 0.0
        self.started = False
        if graph:
            self.learn(graph)

    def learn(self, graph: dict[str, Any]) -> None:
        """The workflow's graph, once known (a resumed job finds it in ComfyUI's queue)."""
        self.graph = {str(node): spec for node, spec in graph.items() if isinstance(spec, dict)}
        self._weights = {node: node_weight(str(spec.get("class_type", ""))) for node, spec in self.graph.items()}
        self._total = sum(self._weights.values())

    def class_of(self, node: Any) -> str:
        spec = self.graph.get(str(node)) if node is not None else None
        return str(spec.get("class_type")) if isinstance(spec, dict) else "a node"

    def start(self) -> None:
        self.started = True

    def cached(self, nodes: Any) -> None:
        self.started = True
        self._done.update(str(node) for node in nodes or [])

    def executing(self, node: Any) -> None:
        self.started = True
        if self._current is not None:
            self._done.add(self._current)
        self._current = str(node)
        self._step = 0.0

    def step(self, node: Any, value: Any, maximum: Any) -> None:
        self.started = True
        if node is not None and str(node) != self._current:
            self.executing(node)
        try:
            self._step = max(0.0, min(float(value) / float(maximum), 1.0))
        except (TypeError, ValueError, ZeroDivisionError):
            pass

    def executed(self, node: Any) -> None:
        self._done.add(str(node))
        if str(node) == self._current:
            self._current, self._step = None, 0.0

    @property
    def fraction(self) -> float:
        """How much of the workflow is done, 0..1 (monotonic)."""
        if self._total <= 0:
            figure = self._step  # the graph is not known (a resumed job): the current node alone
        else:
            done = sum(self._weights.get(node, 0.0) for node in self._done)
            current = self._weights.get(self._current, 0.0) * self._step if self._current else 0.0
            figure = min((done + current) / self._total, 1.0)
        self._figure = max(self._figure, figure)
        return self._figure
