# The hub of the end-to-end test: the documented configuration (JSP_E2E_CONFIG), then what only
# the test needs — the dummy authenticator, the stand-ins for KubeSpawner and the proxy, the hub
# on 127.0.0.1:JSP_E2E_HUB_PORT, and its state in JSP_E2E_DIR.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

c = get_config()  # noqa: F821
load_subconfig(os.environ["JSP_E2E_CONFIG"])  # noqa: F821

state = os.environ["JSP_E2E_DIR"]
url = "http://127.0.0.1:" + os.environ["JSP_E2E_HUB_PORT"]

c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.JupyterHub.spawner_class = "kubespawner_standin.KubeSpawner"
c.JupyterHub.proxy_class = "kubespawner_standin.NoProxy"
# No proxy: the browser talks to the hub itself.
c.JupyterHub.bind_url = url
c.JupyterHub.hub_bind_url = url
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.log_level = "DEBUG"
c.KubeSpawner.pod_record_dir = state
c.Spawner.start_timeout = 30
c.Spawner.http_timeout = 30
