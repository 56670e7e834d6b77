"""Grading a class: discover submissions, grade them in job slots (local or Dask), store
results so a killed batch resumes, and write the gradebook, grades.csv and feedback."""
