"""Letters: the letter model, from hand crops and landmarks to probabilities over the labels.

    classifier.py    LetterClassifier: .tflite through LiteRT (the default) or .keras through Keras 3
                     on TensorFlow, JAX or PyTorch; labels.json beside the model; one-line errors for bad files
    devices.py       --device auto|cpu|gpu: which installed Keras back end sees a GPU, asked lazily
    hand_view.py     as_one_hand: the model's view of a hand (mirrored to one handedness), shared
                     by training and the app
    model_layers.py  the Keras layers saved inside .keras models (registered under the package
                     name "signcam", which saved models refer to)
    bundled.py       where the bundled models are installed, and which export is current

May import: its own modules and the foundation (signcam.config, errors, quiet, runtime); never
signcam.vision, signcam.spelling or anything above them (pipeline, headless, live, app).
This file imports nothing, so `import signcam.letters` never loads TensorFlow or Keras.
"""
