"""The bundled letter model, its labels and model card (installed as `signcam.models`)."""
