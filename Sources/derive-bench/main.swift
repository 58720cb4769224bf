print("derive-bench: no groups yet")
