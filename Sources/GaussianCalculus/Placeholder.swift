// Module GaussianCalculus.
