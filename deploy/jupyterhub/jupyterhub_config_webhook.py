# jupyterhub_config.py for jsp in webhook mode (docs/jupyterhub.md): jsp's admission webhook
# applies the profiles to every notebook pod KubeSpawner creates; the hub only shows jsp's
# options form and passes the user's choice on, as the image and two pod annotations.
# jsp_hooks.py must sit next to this file.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jsp_hooks  # noqa: E402

c = get_config()  # noqa: F821

c.KubeSpawner.options_form = jsp_hooks.options_form
c.KubeSpawner.options_from_form = jsp_hooks.options_from_form
# Sets the image and the annotations jsp.opendatahub.io/size and jsp.opendatahub.io/gpu-type
# from the user's choice, and saves that choice as their last selection.
c.KubeSpawner.pre_spawn_hook = jsp_hooks.webhook_pre_spawn_hook
