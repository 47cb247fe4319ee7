"""Test helpers: plain importable functions, data builders and real stand-in services.

Fixtures stay in the ``conftest.py`` files (and call these); nothing here is a fixture, so a
test imports what it uses from the module named for it, never from a conftest.

- ``paths``: where the repository and its example specs are.
- ``files``: write several files of a project in one call.
- ``commands``: run git, dvc and ``mlops`` as real processes (failures carry their output).
- ``environment``: keep the machine's git, GitHub and DVC settings out of a test.
- ``ports``: free TCP ports on 127.0.0.1.
- ``asgi_server``: an ASGI app served by uvicorn in a thread on a loopback port.
- ``server_process``: JSON calls to a model server process, and waiting until it is ready.
- ``https_server``: an HTTPS file server on 127.0.0.1 with a certificate the test trusts.
- ``git_remote``: a user's clone with a real bare remote standing in for GitHub's git server.
- ``github_fake``: a fake GitHub REST API on 127.0.0.1 (pulls, labels, comments).
- ``registry_fake``: a fake container registry on 127.0.0.1.
- ``s3server``: moto's standalone S3 server on 127.0.0.1.
- ``spec_files``: valid spec files of a small project, and the loader's messages as strings.
- ``spec_objects``: spec dataclasses built in code (dataset, problem, experiment, candidate).
- ``stage_project``: a project folder with specs and the params.yaml the real renderer writes.
- ``houses``: a generated house-price table and the specs of a project on it (stage tests).
- ``drift_data``: reference and current tables with drift planted in known columns.
- ``served_example``: the example project as a deployment that served a week of requests.
- ``penguins``: a generated Palmer-penguins-like table with messy values.
- ``model_repo``: a git repository holding committed models and metrics (registry tests).
- ``diabetes_project``: a small git + DVC project on scikit-learn's diabetes data.
- ``shop_project``: the drift PR's tiny shop project: trained model, request log, labels, clone.
"""
