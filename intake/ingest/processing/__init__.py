"""The processing of a received message, step by step: message_steps (walk, documents to
analyse, commit), one_message (custody then processing of one message in hand),
local_processor (every core of this machine), job_queue (procrastinate on PostgreSQL),
processor_choice (which of the two runs)."""
