"""Stand-ins for the end-to-end test: KubeSpawner without a cluster, and a proxy that is not there.

`KubeSpawner` is named so that the documented `c.KubeSpawner.*` settings apply to it. It builds
the pod as KubeSpawner does (kubernetes client models: labels, annotations, the `notebook`
container with the chosen image and the spawner's environment), hands it to `modify_pod_hook`
like KubeSpawner's `get_pod_manifest`, and writes the pod it would create as JSON to
`pod_record_dir/<user>.json`. Instead of a pod it runs a tiny HTTP server in the hub's process
that answers as a single-user server does, so the hub sees the spawn succeed.
"""

import hashlib
import json
import os
import re

import jupyterhub
from jupyterhub.proxy import Proxy
from jupyterhub.spawner import Spawner
from jupyterhub.utils import maybe_future
from kubernetes.client import (
    ApiClient,
    V1Container,
    V1ContainerPort,
    V1EnvVar,
    V1ObjectMeta,
    V1Pod,
    V1PodSpec,
    V1ResourceRequirements,
)
from tornado import netutil, web
from tornado.httpserver import HTTPServer
from traitlets import Callable, Dict, Unicode

_label = re.compile(r"^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$")


def safe_slug(name):
    """KubeSpawner 7's label slug: the name if it is a valid label value, else a hashed form."""
    if _label.match(name) and "--" not in name:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:21] or "x") + "---" + digest


class _SingleUser(web.RequestHandler):
    def get(self, *args):
        self.set_header("X-JupyterHub-Version", jupyterhub.__version__)
        self.write({"version": jupyterhub.__version__})


class KubeSpawner(Spawner):
    image = Unicode("quay.io/jupyterhub/singleuser:latest").tag(config=True)
    extra_labels = Dict().tag(config=True)
    extra_annotations = Dict().tag(config=True)
    modify_pod_hook = Callable(None, allow_none=True).tag(config=True)
    pod_record_dir = Unicode().tag(config=True)

    _singleuser = None

    def get_pod_manifest(self):
        slug = safe_slug(self.user.name)
        labels = {
            "hub.jupyter.org/username": slug,
            "hub.jupyter.org/servername": "",
            "component": "singleuser-server",
            "app.kubernetes.io/component": "singleuser-server",
            "app": "jupyterhub",
            "heritage": "jupyterhub",
            "app.kubernetes.io/name": "jupyterhub",
            "app.kubernetes.io/managed-by": "kubespawner",
            **self.extra_labels,
        }
        annotations = {
            "hub.jupyter.org/username": self.user.name,
            "hub.jupyter.org/jupyterhub-version": jupyterhub.__version__,
            **self.extra_annotations,
        }
        notebook = V1Container(
            name="notebook",
            image=self.image,
            args=self.get_args(),
            env=[V1EnvVar(name=k, value=v) for k, v in sorted(self.get_env().items())],
            ports=[V1ContainerPort(name="notebook-port", container_port=8888)],
            resources=V1ResourceRequirements(requests={}, limits={}),
        )
        return V1Pod(
            metadata=V1ObjectMeta(name=f"jupyter-{slug}", labels=labels, annotations=annotations),
            spec=V1PodSpec(containers=[notebook], restart_policy="OnFailure"),
        )

    async def start(self):
        pod = self.get_pod_manifest()
        if self.modify_pod_hook:
            pod = await maybe_future(self.modify_pod_hook(self, pod))
        if not isinstance(pod, V1Pod):
            raise TypeError(f"modify_pod_hook returned {type(pod).__name__}, not a V1Pod")
        record = os.path.join(self.pod_record_dir, f"{self.user.name}.json")
        with open(record + ".tmp", "w", encoding="utf-8") as f:
            json.dump(ApiClient().sanitize_for_serialization(pod), f)
        os.replace(record + ".tmp", record)

        sockets = netutil.bind_sockets(0, "127.0.0.1")
        self._singleuser = HTTPServer(web.Application([(r"/(.*)", _SingleUser)]))
        self._singleuser.add_sockets(sockets)
        return ("127.0.0.1", sockets[0].getsockname()[1])

    async def poll(self):
        return None if self._singleuser is not None else 0

    async def stop(self, now=False):
        if self._singleuser is not None:
            self._singleuser.stop()
            self._singleuser = None


class NoProxy(Proxy):
    """The hub is reached directly: no configurable-http-proxy to start, routes kept in memory."""

    should_start = False
    routes = Dict()

    async def add_route(self, routespec, target, data):
        self.routes[routespec] = {"routespec": routespec, "target": target, "data": data}

    async def delete_route(self, routespec):
        self.routes.pop(routespec, None)

    async def get_all_routes(self):
        return dict(self.routes)
