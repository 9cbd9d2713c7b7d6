import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iglo.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the settings, the URLs, the models) lives as long as the process.
# Frozen, it leaves the garbage collector's generations, so a full collection that a request
# happens to set off no longer walks all of it (make bench: the 500-card board after a change).
gc.freeze()
