"""The Terraform wing: HCL modules and ``terraform show -json`` plans, built into entities the same way.

- ``syntax``: HCL (and ``.tf.json``) into a located expression tree.
- ``values``, ``functions``, ``evaluate``: what expressions evaluate to, statically.
- ``module``: a module directory and the modules it calls, into instances (``parse_module``).
- ``plan``: a plan's planned values into the same instances (``parse_plan``).
- ``instances``, ``resources``, ``apigateway``, ``build``: instances into entities on the build kernel.
- ``policy``: ``aws_iam_policy_document`` as the JSON document it renders.

Nothing is imported here: the HCL grammar loads only when a Terraform unit is parsed.
"""
