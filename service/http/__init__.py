"""The HTTP service: the ask API and the OpenAI-compatible chat API over one engine.

``service.http.main.create_app`` builds the app; ``service.cli.serve`` is the
``policyqa serve`` command. Routes only translate (``service.http.translate``) and
call ``service.answer.answer_question``.
"""
