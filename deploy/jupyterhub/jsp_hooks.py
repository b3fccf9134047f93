"""JupyterHub hooks that let jsp (`jsp serve`) decide what each notebook pod gets.

Used by jupyterhub_config_webhook.py and jupyterhub_config_hub_driven.py next to this file;
docs/jupyterhub.md explains both modes. Needs only what KubeSpawner already brings: tornado
(the HTTP client) and the kubernetes client (V1Pod <-> JSON).

Where jsp is, and how the hub proves who it is, come from the environment:
  JSP_URL         jsp's HTTPS address            (default https://jsp.$POD_NAMESPACE.svc, the Service
                                                 of deploy/ in the hub's namespace, a name its certificate holds)
  JSP_TOKEN_FILE  the token of `jsp serve --api-token-file`, mounted from the Secret jsp-api-token
                                                 (default /etc/jsp/api-token/token)
  JSP_CA_FILE     the CA that signed jsp's certificate (default /etc/jsp/tls/ca.crt)
  JSP_TIMEOUT     seconds one request may take   (default 10)
"""

import json
import os
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

SIZE_ANNOTATION = "jsp.opendatahub.io/size"
GPU_TYPE_ANNOTATION = "jsp.opendatahub.io/gpu-type"


class JspError(Exception):
    """jsp could not be reached or refused a request; the message says which and why."""


def _default_url():
    # KubeSpawner and the Zero to JupyterHub chart set POD_NAMESPACE; jsp's certificate names
    # jsp.<namespace>.svc, not the bare Service name.
    namespace = os.environ.get("POD_NAMESPACE")
    return f"https://jsp.{namespace}.svc" if namespace else "https://jsp"


def _settings():
    return {
        "url": os.environ.get("JSP_URL", _default_url()).rstrip("/"),
        "token_file": os.environ.get("JSP_TOKEN_FILE", "/etc/jsp/api-token/token"),
        "ca_file": os.environ.get("JSP_CA_FILE", "/etc/jsp/tls/ca.crt"),
        "timeout": float(os.environ.get("JSP_TIMEOUT", "10")),
    }


def _token(path):
    # Read on every call: a rotated Secret is picked up without restarting the hub.
    try:
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as e:
        raise JspError(f"cannot read jsp's API token from {path} (JSP_TOKEN_FILE): {e}") from e
    if not token:
        raise JspError(f"jsp's API token file {path} (JSP_TOKEN_FILE) is empty")
    return token


def _problem(body):
    """The message of jsp's error body (`{"error": …}`), else the text itself."""
    text = body.decode("utf-8", "replace") if body else ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return parsed["error"] if isinstance(parsed, dict) and "error" in parsed else text.strip()[:500]


async def call(method, path, body=None, query=None):
    """One request to jsp with the hub's token, verifying jsp's certificate against the CA.

    Returns (response, parsed JSON body or None); raises JspError naming the request on failure.
    """
    s = _settings()
    url = s["url"] + path + ("?" + urlencode(query) if query else "")
    headers = {"Authorization": "Bearer " + _token(s["token_file"]), "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = HTTPRequest(
        url,
        method=method,
        headers=headers,
        body=None if body is None else json.dumps(body),
        ca_certs=s["ca_file"],
        validate_cert=True,
        connect_timeout=s["timeout"],
        request_timeout=s["timeout"],
    )
    try:
        response = await AsyncHTTPClient().fetch(request)
    except HTTPClientError as e:
        detail = _problem(e.response.body) if e.response is not None else ""
        raise JspError(f"jsp {method} {path}: {e.code} {detail or e.message}") from e
    except Exception as e:  # connection refused, TLS failure, timeout: say where
        raise JspError(f"jsp {method} {path} at {s['url']}: {e}") from e
    parsed = None
    if response.body and response.headers.get("Content-Type", "").startswith("application/json"):
        parsed = json.loads(response.body)
    return response, parsed


def _warnings(response):
    """The texts of jsp's `Warning: 299 jsp "…"` headers (the text is a JSON string)."""
    texts = []
    for value in response.headers.get_list("Warning"):
        parts = value.split(" ", 2)
        try:
            texts.append(json.loads(parts[2]) if len(parts) == 3 else value)
        except ValueError:
            texts.append(parts[2])
    return texts


def _user_path(spawner, what):
    return f"/api/users/{quote(spawner.user.name, safe='')}/{what}"


def _spawn(spawner):
    """What the hub knows of the spawn that the pod may not say: the groups and the user's choice."""
    options = spawner.user_options or {}
    fields = {"groups": [group.name for group in spawner.user.groups]}
    for key, field in (("image", "image"), ("size", "size"), ("gpu_type", "gpuType")):
        if options.get(key):
            fields[field] = options[key]
    return fields


# --- The options form (both modes) -----------------------------------------------------------


async def options_form(spawner):
    """`c.KubeSpawner.options_form`: jsp's image and size dropdowns for this user, their last choice selected."""
    response, _ = await call("GET", "/form", query={"user": spawner.user.name})
    return response.body.decode("utf-8")


def options_from_form(formdata):
    """`c.KubeSpawner.options_from_form`: the form's lists of strings to `user_options`.

    No side effects, as JupyterHub asks: the spawner is set up from `user_options` in
    `pre_spawn_hook`, which also runs for spawns through the REST API and for remembered options.
    """
    def first(name):
        values = formdata.get(name) or [""]
        return values[0].strip()

    options = {"image": first("custom_image"), "size": first("size")}
    gpu_type = first("gpu_type")  # only if you add a `gpu_type` field to the form
    if gpu_type:
        options["gpu_type"] = gpu_type
    return options


def apply_user_options(spawner):
    """Sets the spawner's image and the size and GPU type annotations from `user_options`.

    The spawner object outlives a spawn, so a choice left out this time (the Default size, no
    image) removes what an earlier spawn set rather than keeping it.
    """
    options = spawner.user_options or {}
    if not hasattr(spawner, "_jsp_configured_image"):
        spawner._jsp_configured_image = spawner.image
    spawner.image = options.get("image") or spawner._jsp_configured_image
    annotations = {
        k: v for k, v in spawner.extra_annotations.items() if k not in (SIZE_ANNOTATION, GPU_TYPE_ANNOTATION)
    }
    if options.get("size"):
        annotations[SIZE_ANNOTATION] = options["size"]
    if options.get("gpu_type"):
        annotations[GPU_TYPE_ANNOTATION] = options["gpu_type"]
    spawner.extra_annotations = annotations


async def save_last_selection(spawner):
    """Stores the user's choice as their last selection, so the form pre-selects it next time.

    A failed save is logged, not raised: the spawn the user asked for goes on.
    """
    options = spawner.user_options or {}
    update = {}
    if "image" in options and options["image"]:
        update["last_selected_image"] = options["image"]
    if "size" in options:
        update["last_selected_size"] = options["size"]  # "" (Default) clears it
    if not update:
        return
    try:
        await call("PUT", _user_path(spawner, "settings"), body=update)
    except JspError as e:
        spawner.log.warning("jsp: %s's last selection was not saved: %s", spawner.user.name, e)


async def webhook_pre_spawn_hook(spawner):
    """`c.KubeSpawner.pre_spawn_hook` in webhook mode: set up the spawner, remember the choice."""
    apply_user_options(spawner)
    await save_last_selection(spawner)


# --- Hub-driven mode: the hub asks jsp, no admission webhook -----------------------------------

_api_client = None


def _kubernetes():
    global _api_client
    if _api_client is None:
        from kubernetes.client import ApiClient

        _api_client = ApiClient()
    return _api_client


class _JsonResponse:
    """What `ApiClient.deserialize` reads of a response: its `data`."""

    def __init__(self, data):
        self.data = data


def pod_to_json(pod):
    """A V1Pod as the JSON the API server would get (camelCase keys, no None values)."""
    return _kubernetes().sanitize_for_serialization(pod)


def pod_from_json(obj):
    """JSON back to a V1Pod, as the kubernetes client reads an API server's answer."""
    return _kubernetes().deserialize(_JsonResponse(json.dumps(obj)), "V1Pod")


async def modify_pod_hook(spawner, pod):
    """`c.KubeSpawner.modify_pod_hook`: the pod with the user's profiles, size and services applied by jsp.

    A failure fails the spawn with jsp's reason rather than starting a pod without its profile.
    """
    body = {"pod": pod_to_json(pod), "user": spawner.user.name, **_spawn(spawner)}
    response, applied = await call("POST", "/api/pods/apply", body=body)
    for warning in _warnings(response):
        spawner.log.warning("jsp: %s", warning)
    return pod_from_json(applied)


async def services_up(spawner):
    """Deploys the user's services (SPEC 7) and hands what they return to the notebook's environment."""
    _, answer = await call("POST", _user_path(spawner, "services"), body=_spawn(spawner))
    for warning in answer.get("warnings", []):
        spawner.log.warning("jsp: %s", warning)
    spawner.environment = {**spawner.environment, **answer.get("env", {})}


async def hub_driven_pre_spawn_hook(spawner):
    """`c.KubeSpawner.pre_spawn_hook` in hub-driven mode: the webhook mode's, then the services."""
    await webhook_pre_spawn_hook(spawner)
    await services_up(spawner)


async def post_stop_hook(spawner):
    """`c.KubeSpawner.post_stop_hook`: tears the user's services down once their server stopped."""
    await call("DELETE", _user_path(spawner, "services"))
