"""Reports over the pipeline: the monthly signed-versus-landed report and its outputs."""
