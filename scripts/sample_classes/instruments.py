"""The sample class of the instruments lab (see sample_classes.SampleClass)."""

from __future__ import annotations

from sample_classes import SampleClass

STUDENTS: SampleClass = {
    "ada": ("reference solution", {}),
    "ben": ("untouched release", None),
    "dev": (
        "np.hanning, the symmetric window, for the periodic one",
        {"frame_signal": [(r"window = 0\.5 - 0\.5 \* np\.cos\(.*\)$", "window = np.hanning(frame_length)")]},
    ),
    "eli": (
        "the magnitude spectrum for the power spectrum",
        {
            "power_spectrum": [
                (r"np\.abs\(np\.fft\.rfft\(frames, axis=1\)\) \*\* 2", "np.abs(np.fft.rfft(frames, axis=1))")
            ]
        },
    ),
    "fay": (
        "filter edges equally spaced in Hz, not in mel",
        {
            "mel_filterbank": [
                (r"edges = 700 \* \(10 \*\* \(mels / 2595\) - 1\)", "edges = np.linspace(f_min, f_max, n_mels + 2)")
            ]
        },
    ),
    "gus": (
        "the natural logarithm for decibels",
        {"mfcc": [(r"10 \* np\.log10\(np\.maximum\(energies, 1e-10\)\)", "np.log(np.maximum(energies, 1e-10))")]},
    ),
    "hal": (
        "each set standardised with its own statistics",
        {"standardise": [(r"\(X - mean\) / std", "(X - X.mean(axis=0)) / X.std(axis=0)")]},
    ),
    "ivy": ("the sets evaluated in training mode", {"train_classifier": [(r"        model\.eval\(\)\n", "")]}),
}
