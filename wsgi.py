import gc

from app import create_app

app = create_app()

# What loading the app made (modules, mappers, templates, message catalogues) lives as long as the process: frozen
# out of the garbage collector's generations, a full collection walks only what requests made since (gc.freeze, as
# the Python documentation advises for servers). Without it, one request in twenty on /forecast paid ~100 ms of
# collection (bench/README.md, bench_forecast.py).
gc.freeze()
