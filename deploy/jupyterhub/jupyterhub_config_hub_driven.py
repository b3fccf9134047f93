# jupyterhub_config.py for jsp in hub-driven mode (docs/jupyterhub.md): no admission webhook
# (it needs cluster-admin); the hub asks jsp for every pod before KubeSpawner creates it, and
# deploys and tears down the user's services itself. jsp_hooks.py must sit next to this file.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jsp_hooks  # noqa: E402

c = get_config()  # noqa: F821

c.KubeSpawner.options_form = jsp_hooks.options_form
c.KubeSpawner.options_from_form = jsp_hooks.options_from_form
# The webhook mode's hook (image, annotations, last selection saved), then the user's services:
# what they return lands in the notebook's environment.
c.KubeSpawner.pre_spawn_hook = jsp_hooks.hub_driven_pre_spawn_hook
# The pod with the user's profiles, size and GPU settings applied by jsp.
c.KubeSpawner.modify_pod_hook = jsp_hooks.modify_pod_hook
c.KubeSpawner.post_stop_hook = jsp_hooks.post_stop_hook
